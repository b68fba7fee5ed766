"""The target's test suite (gate 3): which commands run pytest, how they run in this
environment, and what a red run says."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pytest_release.checks.target_tests import (
    in_this_environment,
    mentions_pytest,
    package_test_requirements,
    result_problems,
    runs_pytest,
    summary,
)
from pytest_release.process import CommandResult
from pytest_release.target.monorepo import read_monorepo

ROOT = "/repo"
PYTEST = ("pytest", "-q", "tests")
RED = "tests/test_a.py F\n=========== 1 failed, 3 passed in 0.12s ===========\n"
CANNOT_IMPORT = "ImportError while importing test module '/repo/tests/test_a.py'.\n"
NONE_RAN = "=========== no tests ran in 0.01s ===========\n"


def ended(returncode: int | None, output: str, command: tuple[str, ...] = PYTEST) -> CommandResult:
    return CommandResult(command, returncode, output, timeout=3600)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("pytest",), True),
        (("py.test", "-x"), True),
        (("python", "-m", "pytest", "-q"), True),
        (("python3", "-m", "pytest"), True),
        (("tox", "-e", "py"), False),
        (("python", "-m", "unittest"), False),
        (("make", "pytest"), False),
    ],
)
def test_runs_pytest(command: tuple[str, ...], expected: bool) -> None:
    assert runs_pytest(command) is expected


LOOP = "s=0; for d in a b; do (cd $d && pytest -q tests) || s=1; done; exit $s"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("pytest",), True),
        (("python", "-m", "pytest"), True),
        (("sh", "-c", LOOP), True),  # what init writes for per-package suites
        (("sh", "-c", "cd a && py.test"), True),
        (("sh", "-c", "tox -e py && echo pytest-ish"), False),
        (("tox", "-e", "py"), False),
        (("sh", "-c", "./run-pytests.sh"), False),
    ],
)
def test_the_fresh_venv_gets_pytest_when_the_command_runs_it_anywhere(
    command: tuple[str, ...], expected: bool
) -> None:
    assert mentions_pytest(command) is expected


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("pytest", "-q"), (sys.executable, "-m", "pytest", "-q")),
        (("py.test",), (sys.executable, "-m", "pytest")),
        (("python", "-m", "pytest"), (sys.executable, "-m", "pytest")),
        (("python3", "runtests.py"), (sys.executable, "runtests.py")),
        (("tox", "-e", "py"), ("tox", "-e", "py")),
    ],
)
def test_the_suite_runs_with_the_interpreter_running_the_gates(
    command: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    assert in_this_environment(command) == expected


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (ended(1, RED), "1 failed, 3 passed in 0.12s (`pytest -q tests` exited 1)"),
        (ended(5, NONE_RAN), "no tests ran in 0.01s (`pytest -q tests` exited 5)"),
        (ended(4, "ERROR: file or directory not found: tests\n"), "`pytest -q tests` exited 4"),
        (ended(None, "tests/test_a.py ."), "`pytest -q tests` did not finish within 3600 s"),
    ],
)
def test_summary(result: CommandResult, expected: str) -> None:
    assert summary(result) == expected


@pytest.mark.parametrize(
    ("result", "in_fresh_venv", "what", "fix"),
    [
        pytest.param(
            ended(1, RED),
            False,
            "the test suite is not green: 1 failed, 3 passed in 0.12s",
            "fix the failures above, commit, and run the gates again (`pytest -q tests`",
            id="red",
        ),
        pytest.param(
            ended(5, NONE_RAN),
            False,
            "`pytest -q tests` ran no test (pytest's exit code 5): no tests ran",
            "point test-command at the suite",
            id="no-test-ran",
        ),
        pytest.param(
            ended(5, "", ("tox",)),
            False,
            "the test suite is not green: `tox` exited 5",
            "fix the failures above",
            id="exit-5-of-another-runner",
        ),
        pytest.param(
            ended(2, CANNOT_IMPORT),
            False,
            "the test suite is not green: `pytest -q tests` exited 2",
            "the suite cannot import the packages in this environment",
            id="cannot-import-here",
        ),
        pytest.param(
            ended(2, CANNOT_IMPORT),
            True,
            "the test suite is not green: `pytest -q tests` exited 2",
            "fix the failures above",
            id="cannot-import-in-the-fresh-venv",
        ),
        pytest.param(
            ended(None, "tests/test_a.py ."),
            True,
            "the test suite is not green: `pytest -q tests` did not finish within 3600 s",
            "fix the failures above",
            id="timed-out",
        ),
    ],
)
def test_what_a_red_run_says(
    result: CommandResult, in_fresh_venv: bool, what: str, fix: str
) -> None:
    (problem,) = result_problems(result, result.command, ROOT, in_fresh_venv=in_fresh_venv)
    assert problem.where == ROOT
    assert problem.what.startswith(what)
    assert problem.fix.startswith(fix)
    assert problem.what.endswith(result.tail(40))  # the suite's own last lines


def test_a_green_run_has_no_problem() -> None:
    assert result_problems(ended(0, "1 passed"), PYTEST, ROOT, in_fresh_venv=False) == []


def test_the_test_requirements_files_beside_each_package(tmp_path: Path) -> None:
    for name in ("api", "sdk", "docs"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nversion = "1.0.0"\n', encoding="utf-8"
        )
    (tmp_path / "api" / "test-requirements.txt").write_text("pytest\n", encoding="utf-8")
    (tmp_path / "sdk" / "requirements-test.txt").write_text("-e api\n", encoding="utf-8")
    (tmp_path / "docs" / "requirements.txt").write_text("sphinx\n", encoding="utf-8")

    monorepo = read_monorepo(tmp_path, ("api", "sdk", "docs"))

    assert sorted(package_test_requirements(monorepo)) == [
        tmp_path / "api" / "test-requirements.txt",
        tmp_path / "sdk" / "requirements-test.txt",
    ]
