"""Gate 3, tests: the target's own test suite is green."""

from __future__ import annotations

import re
import shlex
import sys

import pytest

from pytest_release.dists.venv import (
    CommandResult,
    FreshVenv,
    clean_environment,
    install_editable,
    install_failure,
    run_command,
)
from pytest_release.gate import fail_with
from pytest_release.problems import Problem
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo

pytestmark = [pytest.mark.tests]

TEST_SUITE_SECONDS = 3600
NO_TESTS_RAN = 5  # pytest's exit code when it ran no test
TEST_EXTRAS = ("test", "tests", "testing")
_IMPORT_FAILURE = re.compile(r"ImportError while importing|ModuleNotFoundError")
_SUMMARY = re.compile(r"\b(passed|failed|errors?|no tests ran|skipped|deselected)\b")


def _summary(result: CommandResult) -> str:
    """pytest's closing line with how the command ended, or just how it ended."""
    lines = [line.strip(" =") for line in result.output.splitlines() if _SUMMARY.search(line)]
    return f"{lines[-1]} ({result.describe()})" if lines else result.describe()


def _runs_pytest(command: tuple[str, ...]) -> bool:
    return command[0] in {"pytest", "py.test"} or command[1:3] == ("-m", "pytest")


def _prepare_fresh(venv: FreshVenv, monorepo: Monorepo, command: tuple[str, ...]) -> None:
    """Every package editable with its test extras (and pytest when the suite runs it)."""
    results = install_editable(venv, monorepo, TEST_EXTRAS)
    if _runs_pytest(command) and all(result.ok for result in results.values()):
        results["pytest"] = venv.install("pytest")
    fail_with(
        Problem(
            f"installing it into the fresh test venv failed: {install_failure(result)}",
            name,
            "fix the install (see the installer's output), or run the suite in this "
            'environment with test-env = "current"',
        )
        for name, result in results.items()
        if not result.ok
    )


def _in_this_environment(command: tuple[str, ...]) -> tuple[str, ...]:
    """The interpreter running the gates runs the suite, whatever `pytest` is on PATH."""
    if command[0] in {"pytest", "py.test"}:
        return (sys.executable, "-m", "pytest", *command[1:])
    if command[0] in {"python", "python3"}:
        return (sys.executable, *command[1:])
    return command


def test_target_test_suite_is_green(
    release_settings: Settings,
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """`test-command` from the repo root: in this environment, or in a fresh venv with every
    package installed editable with its test extras (`test-env = "fresh"`)."""
    command = release_settings.test_command
    # pytest's cache goes to scratch: the gates leave the target's tree as they found it.
    cache = tmp_path_factory.mktemp("target-pytest-cache")
    variables = {"PYTEST_ADDOPTS": f"-o cache_dir={shlex.quote(str(cache))}"}
    if release_settings.test_env == "fresh":
        venv: FreshVenv = request.getfixturevalue("fresh_venv")
        _prepare_fresh(venv, monorepo, command)
        result = venv.run(
            command, cwd=monorepo.root, timeout=TEST_SUITE_SECONDS, variables=variables
        )
    else:
        result = run_command(
            _in_this_environment(command),
            cwd=monorepo.root,
            timeout=TEST_SUITE_SECONDS,
            environment=clean_environment() | variables,
        )
    if result.ok:
        return
    shown = " ".join(command)
    if result.returncode == NO_TESTS_RAN and _runs_pytest(command):
        what = f"`{shown}` ran no test (pytest's exit code 5): {_summary(result)}"
        fix = 'point test-command at the suite (e.g. "pytest -q tests"), or add tests'
    else:
        what = f"the test suite is not green: {_summary(result)}"
        fix = f"fix the failures above, commit, and run the gates again (`{shown}` reproduces them)"
        if release_settings.test_env == "current" and _IMPORT_FAILURE.search(result.output):
            fix = (
                "the suite cannot import the packages in this environment: install them "
                '(pip install -e PACKAGE) or set test-env = "fresh" in [tool.pytest-release], '
                "which runs the suite in a fresh venv with every package installed editable"
            )
    fail_with([Problem(f"{what}\n{result.tail(40)}", str(monorepo.root), fix)])
