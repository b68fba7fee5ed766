"""The rehearsal installs each top package in a venv of its own: two top packages whose
requirements conflict (``rehearsal-proto~=3.12`` beside ``rehearsal-proto>=5``, two tiny
wheels on a second local index standing for the user's normal index) install and are checked
each in its own venv; with ``rehearsal-together = true`` they must co-install, and the
conflict is one failure naming both requirements. No network but loopback and the package
index the builds take their build backend from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_release.index.local import LocalIndex, start_local_index
from tests.plugin.baseline import (
    REHEARSAL_INSTALL_CASE,
    REHEARSAL_PACKAGE_CASES,
    REHEARSAL_PYTHON_SMOKE_CASE,
    REHEARSAL_SMOKE_CASE,
)
from tests.plugin.gate_runs import GateRunner
from tests.plugin.repos import ReleaseRepo
from tests.plugin.test_real_shapes import _package, _released_repo, _tree
from tests.plugin.test_rehearsal_gate import INDEX_SETTINGS, write_wheel

pytestmark = [pytest.mark.slow]

PROTO = "rehearsal-proto"
OLD_PROTO, NEW_PROTO = f"{PROTO}~=3.12", f"{PROTO}>=5"
PACKAGES = ("acme-core", "acme-old", "acme-new")
SMOKE = "acme-new --help"
ROOT = """\
[tool.pytest-release]
packages = ["packages/*"]
python-smoke = ["import acme_old, rehearsal_proto; assert rehearsal_proto.MAJOR == 3", \
"import acme_core"]
smoke = ["acme-new --help"]
"""
NEW_CLI = '''"""acme-new."""

__version__ = "{version}"


def main() -> None:
    print("usage: acme-new")
'''


def _repo_files(version: str, root: str) -> dict[str, str]:
    new = _package(
        "acme-new",
        version,
        (f"acme-core=={version}", NEW_PROTO),
        tables='[project.scripts]\nacme-new = "acme_new:main"\n',
    )
    new["src/acme_new/__init__.py"] = NEW_CLI.format(version=version)
    return _tree(
        {
            "packages/core": _package("acme-core", version),
            "packages/old": _package("acme-old", version, (f"acme-core=={version}", OLD_PROTO)),
            "packages/new": new,
        },
        {"pyproject.toml": root},
    )


def _conflicting_tops(destination: Path, root: str) -> ReleaseRepo:
    return _released_repo(
        destination, _repo_files("0.9.0", root), _repo_files("1.0.0", root), ("v0.9.0",)
    )


@pytest.fixture
def normal_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalIndex]:
    """The user's normal index (added to the default one, as UV_INDEX): a second local
    server holding the third-party requirement in both majors."""
    index = start_local_index(tmp_path / "normal-index")
    try:
        wheels = tmp_path / "normal-wheels"
        wheels.mkdir()
        files = [
            write_wheel(wheels, PROTO, version, {"rehearsal_proto.py": f"MAJOR = {major}\n"})
            for major, version in ((3, "3.20.0"), (5, "5.0.0"))
        ]
        uploaded = index.upload(files)
        assert uploaded.ok, uploaded.output
        for name in INDEX_SETTINGS:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("UV_INDEX", index.simple_url)
        monkeypatch.setenv("PIP_EXTRA_INDEX_URL", index.simple_url)
        yield index
    finally:
        index.stop()


def test_two_top_packages_that_cannot_co_install_are_two_installs(
    tmp_path: Path, run_gates: GateRunner, normal_index: LocalIndex
) -> None:
    repo = _conflicting_tops(tmp_path, ROOT)

    run = run_gates(repo.root, "-m", "rehearsal")

    outcomes = run.outcomes()
    cases = [
        REHEARSAL_INSTALL_CASE,
        *(f"{case}[{name}]" for case in REHEARSAL_PACKAGE_CASES for name in PACKAGES),
        REHEARSAL_PYTHON_SMOKE_CASE,
        f"{REHEARSAL_SMOKE_CASE}[{SMOKE}]",
    ]
    assert {case: outcomes.get(case) for case in cases} == dict.fromkeys(cases, "passed"), (
        run.output
    )


def test_top_packages_that_must_co_install_fail_once_naming_both_requirements(
    tmp_path: Path, run_gates: GateRunner, normal_index: LocalIndex
) -> None:
    repo = _conflicting_tops(tmp_path, ROOT + "rehearsal-together = true\n")

    run = run_gates(repo.root, "-m", "rehearsal")

    outcomes = run.outcomes()
    failed = [case for case, outcome in outcomes.items() if outcome == "failed"]
    assert failed == [REHEARSAL_INSTALL_CASE], run.output
    message = run.message(REHEARSAL_INSTALL_CASE)
    # The resolver's own words name both requirements (uv spells ~=3.12 as >=3.12,<4.dev0).
    resolver = " ".join(message.partition("No solution found")[2].split())
    assert f"{PROTO}>=3.12,<4" in resolver, message
    assert NEW_PROTO in resolver, message
    assert "rehearsal-together = true" in message
    blocked = [f"{case}[{name}]" for case in REHEARSAL_PACKAGE_CASES for name in PACKAGES]
    assert {case: outcomes[case] for case in blocked} == dict.fromkeys(blocked, "skipped")
