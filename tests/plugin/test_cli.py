"""The `pytest-release` console script, run for real on git repos in tmp_path."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.plugin.baseline import assert_outcomes
from tests.plugin.gate_runs import GateRunner
from tests.plugin.repos import CHECKOUT, ReleaseRepo, make_release_repo
from tests.plugin.trees import single_package

SCRIPT = Path(sys.executable).with_name("pytest-release")
UNRELEASED_ENTRY = "### Added\n- `aetherflow graph FILE` prints the flow's steps as a graph.\n\n"


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def pytest_release(*args: str, cwd: Path) -> Ran:
    completed = subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    return Ran(completed.returncode, completed.stdout, completed.stderr)


def assert_refused(ran: Ran, *words: str) -> None:
    assert ran.returncode == 2, ran
    assert "Traceback" not in ran.stderr + ran.stdout
    for word in words:
        assert word in ran.stderr, ran.stderr


@pytest.mark.parametrize("command", [(), ("plan",), ("bump",), ("init",)])
def test_help_describes_the_options(command: tuple[str, ...], tmp_path: Path) -> None:
    ran = pytest_release(*command, "--help", cwd=tmp_path)
    assert ran.returncode == 0
    expected = {(): "Flow:", ("plan",): "--json", ("bump",): "--dry-run", ("init",): "--force"}
    assert expected[command] in ran.stdout


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_release.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert "bump" in completed.stdout


def test_usage_errors_are_one_paragraph_with_exit_2(tmp_path: Path) -> None:
    assert_refused(pytest_release("bump", cwd=tmp_path), "usage:")
    assert_refused(pytest_release("plan", "--monorepo", "missing", cwd=tmp_path), "no such folder")


def test_plan_on_the_example(release_repo: ReleaseRepo) -> None:
    ran = pytest_release("plan", cwd=release_repo.root)
    assert ran.returncode == 0, ran
    assert "release version: 0.2.0 (last release 0.1.0)" in ran.stdout
    assert "publish order: aetherflow-core -> aetherflow-scheduler -> aetherflow" in ran.stdout
    assert "tags: v0.2.0" in ran.stdout
    ran = pytest_release("plan", "--json", "--release-version", "0.3.0", cwd=release_repo.root)
    document = json.loads(ran.stdout)
    assert (document["release_version"], document["tags"]) == ("0.3.0", ["v0.3.0"])
    assert [p["next"] for p in document["packages"]] == ["0.3.0"] * 3


def test_plan_on_a_cycle_exits_1_with_the_cycle(release_repo: ReleaseRepo) -> None:
    core = release_repo.root / "packages" / "aetherflow-core" / "pyproject.toml"
    text = core.read_text(encoding="utf-8")
    core.write_text(
        text.replace("dependencies = []", 'dependencies = ["aetherflow>=0.2"]'), encoding="utf-8"
    )
    ran = pytest_release("plan", cwd=release_repo.root)
    assert ran.returncode == 1, ran
    assert "internal dependencies form a cycle: aetherflow -> aetherflow-core" in ran.stdout
    document = json.loads(pytest_release("plan", "--json", cwd=release_repo.root).stdout)
    assert document["possible"] is False
    assert "cycle" in document["problems"][0]["what"]


def test_bump_dry_run_writes_nothing(release_repo: ReleaseRepo) -> None:
    ran = pytest_release("bump", "minor", "--dry-run", cwd=release_repo.root)
    assert ran.returncode == 0, ran
    assert '-version = "0.2.0"\n+version = "0.3.0"' in ran.stdout
    assert release_repo.git("status", "--porcelain") == ""


def test_bump_refuses_a_dirty_tree_and_a_bad_version(release_repo: ReleaseRepo) -> None:
    assert_refused(pytest_release("bump", "0.2", cwd=release_repo.root), "has 2 release parts")
    assert_refused(pytest_release("bump", "0.1.9", cwd=release_repo.root), "below the current")
    release_repo.write("notes.txt", "draft\n")
    assert_refused(
        pytest_release("bump", "minor", cwd=release_repo.root), "uncommitted changes (notes.txt)"
    )
    assert release_repo.git("status", "--porcelain") == "?? notes.txt"


@pytest.mark.slow
def test_bump_commit_then_the_gates_pass(release_repo: ReleaseRepo, run_gates: GateRunner) -> None:
    """Done means: bump minor on the example, commit, and the gates accept the release."""
    changelog = release_repo.root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(
        text.replace("## [Unreleased]\n\n", f"## [Unreleased]\n\n{UNRELEASED_ENTRY}"),
        encoding="utf-8",
    )
    release_repo.commit_all("Note the graph command")
    ran = pytest_release("bump", "minor", cwd=release_repo.root)
    assert ran.returncode == 0, ran
    assert "aetherflow-core: 0.2.0 -> 0.3.0" in ran.stdout
    assert f"## [0.3.0] - {date.today().isoformat()}\n\n{UNRELEASED_ENTRY}" in (
        changelog.read_text(encoding="utf-8")
    )
    release_repo.commit_all("Release 0.3.0")
    release_repo.push()
    # preflight, versions and changelog keep the outcomes of an untouched release repo.
    assert_outcomes(run_gates(release_repo.root, "--release-version", "0.3.0"))


def _user_repo(tmp_path: Path) -> ReleaseRepo:
    """A one-package repo that never had the release suite: no pytest config at all."""
    return make_release_repo(single_package(tmp_path / "tree"), tmp_path / "work")


def _pytest_in(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-p", "no:randomly", "-p", "no:cacheprovider"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": "src"},  # the user's own tests import from src/
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_init_then_the_suite_runs_there(tmp_path: Path) -> None:
    repo = _user_repo(tmp_path)
    ran = pytest_release("init", cwd=repo.root)
    assert ran.returncode == 0, ran
    assert "packages: tidy-notes" in ran.stdout
    suite = {path.name for path in (repo.root / "release_tests").iterdir()}
    shipped = {path.name for path in (CHECKOUT / "release_tests").glob("test_*.py")}
    # the suite's modules and its conftest by count, one line
    assert f"wrote release_tests/ ({len(shipped) + 1} files)\nwrote pyproject.toml\n" in ran.stdout
    assert suite == shipped | {"conftest.py"}
    assert 'packages = ["."]' in (repo.root / "pyproject.toml").read_text(encoding="utf-8")
    repo.commit_all("Add the release suite")
    repo.push()
    gates = _pytest_in(
        repo.root, "release_tests", "-m", "preflight", "--testpypi=local", "--pypi=local", "-rA"
    )
    assert "PASSED release_tests/test_00_preflight.py::test_working_tree_is_clean" in gates.stdout
    assert gates.returncode == 0, gates.stdout + gates.stderr
    assert "9 passed, 1 skipped" in gates.stdout  # CI cannot be read off GitHub
    # A plain `pytest` there (and the tests gate's own run) leaves the release suite out.
    plain = _pytest_in(repo.root, "-q")
    assert plain.returncode == 0, plain.stdout
    assert "1 passed" in plain.stdout
    assert "preflight" not in plain.stdout
    # ...also where pytest-release is not installed (the tests gate's fresh venv): the
    # conftest imports nothing but pytest and the standard library.
    conftest = ast.parse((repo.root / "release_tests" / "conftest.py").read_text("utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(conftest)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(conftest) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "pathlib", "pytest"}, imported


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    repo = _user_repo(tmp_path)
    mine = repo.write("release_tests/test_00_preflight.py", "# my own\n")
    ran = pytest_release("init", cwd=repo.root)
    assert_refused(ran, "release_tests/test_00_preflight.py already exist", "--force")
    assert mine.read_text(encoding="utf-8") == "# my own\n"
    assert not (repo.root / "release_tests" / "test_01_versions.py").exists()
    ran = pytest_release("init", "--force", str(repo.root), cwd=tmp_path)
    assert ran.returncode == 0, ran
    assert mine.read_text(encoding="utf-8") == (CHECKOUT / "release_tests" / mine.name).read_text(
        encoding="utf-8"
    )
    again = pytest_release("init", cwd=repo.root)
    assert again.returncode == 0
    assert "kept [tool.pytest-release] in pyproject.toml" in again.stdout
