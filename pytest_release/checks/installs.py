"""What a failed install of a package means for the release (pure but for its inputs)."""

from __future__ import annotations

from pathlib import Path

from pytest_release.dists.venv import install_failure
from pytest_release.problems import Problem
from pytest_release.process import CommandResult
from pytest_release.target.monorepo import Package
from pytest_release.target.pyproject import relative


def editable_install_problems(package: Package, result: CommandResult, root: Path) -> list[Problem]:
    """The editable install of ``package`` into a fresh venv, when it failed."""
    if result.ok:
        return []
    return [
        Problem(
            f"`pip install -e` of {package.name} failed: {install_failure(result)}",
            relative(package.pyproject, root),
            "fix what the installer names above (a dependency missing from the index, "
            "a build backend error), commit, and run the gates again",
        )
    ]
