"""Gate 5, cli: every console script answers --help; every smoke command succeeds or fails
cleanly: a message and a non-zero exit, never a traceback, a crash or a hang."""

from __future__ import annotations

import pytest

from pytest_release.checks.smoke import NO_SMOKE_COMMANDS, help_problems, smoke_problems
from pytest_release.gate import fail_with, skip_nothing_to_check
from pytest_release.session.fixtures import EditableInstall
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo, Package
from pytest_release.target.pyproject import relative

pytestmark = [pytest.mark.cli]


def test_console_scripts_answer_help(
    release_package: Package, editable_venv: EditableInstall, monorepo: Monorepo
) -> None:
    editable_venv.skip_unless_installed(release_package)
    venv = editable_venv.venv
    where = relative(release_package.pyproject, monorepo.root)
    fail_with(help_problems(venv, release_package, cwd=venv.path, where=where))


def test_smoke_command_ends_cleanly(
    smoke_command: str | None,
    release_settings: Settings,
    editable_venv: EditableInstall,
    monorepo: Monorepo,
) -> None:
    """A `smoke` command, run from the repo root with the editable venv first on PATH."""
    if smoke_command is None:
        skip_nothing_to_check(NO_SMOKE_COMMANDS)
    editable_venv.skip_unless_all_installed()
    fail_with(
        smoke_problems(
            editable_venv.venv,
            smoke_command,
            cwd=monorepo.root,
            timeout=release_settings.smoke_timeout,
            where=f"[tool.pytest-release] smoke in {release_settings.config_file}",
        )
    )
