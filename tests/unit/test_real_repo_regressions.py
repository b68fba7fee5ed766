"""False alarms found by running the gates on real public monorepos, each pinned by the
smallest repository shape that showed it (issues #15/#16)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pytest_release.target.monorepo import read_monorepo

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def _write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _project(name: str) -> str:
    return f'[project]\nname = "{name}"\nversion = "1.0.0"\n'


# pydantic-ai 1.80.0: pydantic-ai-examples names `pydantic_ai_examples`, a folder without
# __init__.py holding example scripts and example subpackages (ag_ui, evals) that build an
# OpenAI agent at import. The import gates imported those subpackages and failed for want of
# OPENAI_API_KEY; a user imports `pydantic_ai_examples` (or runs one with its keys set).
EXAMPLES = {
    "__main__.py": "",
    "weather_agent.py": "",
    "ag_ui/__init__.py": "raise RuntimeError('needs OPENAI_API_KEY')\n",
    "evals/__init__.py": "",
}


NAMED = '[tool.hatch.build.targets.wheel]\npackages = ["ex_ai_examples"]\n'


@pytest.mark.parametrize(
    "wheel", [pytest.param(NAMED, id="named"), pytest.param("", id="hatchling-default")]
)
def test_a_folder_named_after_the_project_is_one_package_without_init(
    tmp_path: Path, wheel: str
) -> None:
    files = {f"ex_ai_examples/{name}": text for name, text in EXAMPLES.items()}
    _write(tmp_path / "examples", {"pyproject.toml": HATCH + _project("ex-ai-examples") + wheel})
    _write(tmp_path / "examples", files)
    (package,) = read_monorepo(tmp_path, ["examples"]).packages
    assert package.import_packages == ("ex_ai_examples",)


@pytest.mark.parametrize("project", ["acme-widgets", "acme"])
def test_a_shared_namespace_folder_still_yields_its_subpackages(
    tmp_path: Path, project: str
) -> None:
    """The rule is for the project's own folder with modules of its own: `acme/` holding
    only subpackages is a namespace portion whose subpackages are the import packages,
    even for a project named `acme` (the example's meta package `aetherflow`)."""
    _write(
        tmp_path / "pkg",
        {
            "pyproject.toml": HATCH
            + _project(project)
            + '[tool.hatch.build.targets.wheel]\npackages = ["src/acme"]\n',
            "src/acme/widgets/__init__.py": "",
            "src/acme/gears/__init__.py": "",
        },
    )
    (package,) = read_monorepo(tmp_path, ["pkg"]).packages
    assert package.import_packages == ("acme.gears", "acme.widgets")
