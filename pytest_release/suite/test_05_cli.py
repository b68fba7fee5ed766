"""Gate 5, cli: every console script answers --help; every smoke command succeeds or fails
cleanly: a message and a non-zero exit, never a traceback, a crash or a hang."""

from __future__ import annotations

import shlex

import pytest

from pytest_release.fixtures import EditableInstall
from pytest_release.gate import fail_with
from pytest_release.monorepo import Monorepo, Package
from pytest_release.problems import Problem
from pytest_release.pyproject_reading import relative
from pytest_release.settings import Settings
from pytest_release.venv import CommandResult

pytestmark = [pytest.mark.cli]

HELP_SECONDS = 60


def _unclean(result: CommandResult) -> str | None:
    """Why a command did not end cleanly, or None: an error message with a non-zero exit
    is a clean end; a traceback, a signal, a timeout or a silent failure is not."""
    if result.not_found:
        return f"could not start: there is no program {result.command[0]!r}"
    if result.timed_out:
        return f"did not finish within {result.timeout:g} s"
    if result.signal_name:
        return f"was killed by {result.signal_name}"
    if result.has_traceback:
        return "ended with a Python traceback"
    if not result.ok and not result.output.strip():
        return f"exited {result.returncode} without a word"
    return None


def test_console_scripts_answer_help(
    release_package: Package, editable_venv: EditableInstall, monorepo: Monorepo
) -> None:
    editable_venv.skip_unless_installed(release_package)
    problems: list[Problem] = []
    for script, entry_point in release_package.scripts.items():
        command = [str(editable_venv.venv.bin / script), "--help"]
        result = editable_venv.venv.run(command, cwd=editable_venv.venv.path, timeout=HELP_SECONDS)
        why = _unclean(result) or (None if result.ok else f"exited {result.returncode}")
        if why:
            problems.append(
                Problem(
                    f"`{script} --help` {why} (entry point {entry_point}):\n{result.tail()}",
                    relative(release_package.pyproject, monorepo.root) + " [project.scripts]",
                    f"make `{script} --help` print its usage and exit 0",
                )
            )
    fail_with(problems)


def test_smoke_command_ends_cleanly(
    smoke_command: str | None,
    release_settings: Settings,
    editable_venv: EditableInstall,
    monorepo: Monorepo,
) -> None:
    """A `smoke` command, run from the repo root with the editable venv first on PATH."""
    if smoke_command is None:
        pytest.skip("no smoke commands: list them as `smoke = [...]` in [tool.pytest-release]")
    if not all(result.ok for result in editable_venv.results.values()):
        pytest.skip("not checked: an editable install failed (see the editable gate)")
    result = editable_venv.venv.run(
        shlex.split(smoke_command), cwd=monorepo.root, timeout=release_settings.smoke_timeout
    )
    why = _unclean(result)
    fail_with(
        [
            Problem(
                f"`{smoke_command}` {why}:\n{result.tail()}",
                f"[tool.pytest-release] smoke in {release_settings.config_file}",
                "make the command end with a message and an exit code, never a traceback; "
                "catch the error where the CLI parses its input",
            )
        ]
        if why
        else []
    )
