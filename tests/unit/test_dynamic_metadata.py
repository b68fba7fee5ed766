"""What ``[project] dynamic`` leaves to the build backend, read into the repository model:
the publish order and ranges then rest on what the backend says, never on a guess."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement

from pytest_release.target.dynamic_metadata import BackendMetadata, DynamicMetadataError
from pytest_release.target.monorepo import MonorepoError, Package, read_monorepo

APP = """\
[project]
name = "acme-app"
version = "1.1.0"
dynamic = ["dependencies", "optional-dependencies"]
"""
BASE = '[project]\nname = "acme-base"\nversion = "1.1.0"\n'
SAID = BackendMetadata(
    "1.1.0",
    (
        "acme-base==1.1.0",
        "rich>=13",
        'acme-plugins>=1; extra == "plugins"',
        "colorama; sys_platform == 'win32'",
    ),
)


def _repo(tmp_path: Path) -> Path:
    for folder, text in (("app", APP), ("base", BASE)):
        (tmp_path / "packages" / folder).mkdir(parents=True)
        (tmp_path / "packages" / folder / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_dependencies_the_backend_computes_order_the_release(tmp_path: Path) -> None:
    asked: list[str] = []

    def backend(package: Package) -> BackendMetadata:
        asked.append(package.name)
        return SAID

    monorepo = read_monorepo(_repo(tmp_path), metadata_reader=backend)

    assert asked == ["acme-app"]  # only the package that leaves them to its backend
    assert monorepo.publish_order == ("acme-base", "acme-app")
    app = monorepo.package("acme-app")
    assert [str(each) for each in app.dependencies] == [
        "acme-base==1.1.0",
        "rich>=13",
        'colorama; sys_platform == "win32"',
    ]
    assert dict(app.optional_dependencies) == {
        "plugins": (Requirement('acme-plugins>=1; extra == "plugins"'),)
    }


def test_a_backend_that_cannot_be_asked_is_a_problem_naming_it(tmp_path: Path) -> None:
    def backend(package: Package) -> BackendMetadata:
        raise DynamicMetadataError("`python -m build --metadata` failed (exit 1): no hatch")

    with pytest.raises(MonorepoError) as unreadable:
        read_monorepo(_repo(tmp_path), metadata_reader=backend)

    (problem,) = unreadable.value.problems
    assert problem.what == (
        "acme-app's dependencies and optional-dependencies are computed by its build backend, "
        "which could not be asked: `python -m build --metadata` failed (exit 1): no hatch"
    )
    assert problem.where == "packages/app/pyproject.toml [project] dynamic"
    assert "python -m build --metadata packages/app" in problem.fix


def test_without_a_backend_to_ask_the_order_is_never_guessed(tmp_path: Path) -> None:
    with pytest.raises(MonorepoError) as unread:
        read_monorepo(_repo(tmp_path))

    (problem,) = unread.value.problems
    assert "which this command does not ask" in problem.what


def test_a_dynamic_version_no_file_holds_is_the_backends(tmp_path: Path) -> None:
    folder = tmp_path / "packages" / "app"
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "acme-app"\ndynamic = ["version"]\n'
        '[tool.hatch.version]\nsource = "code"\npath = "version.py"\n',
        encoding="utf-8",
    )

    (package,) = read_monorepo(tmp_path, metadata_reader=lambda package: SAID).packages

    assert package.version_text == "1.1.0"
    assert package.version_error is None
    assert package.version_source.endswith(
        "its build backend says 1.1.0 (prepare_metadata_for_build_wheel)"
    )
