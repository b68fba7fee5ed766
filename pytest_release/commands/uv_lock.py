"""``uv lock`` after a bump: a repository that keeps a ``uv.lock`` gets it back in step with
the versions and ranges the bump wrote, through the one process runner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_release.dists.venv import INSTALL_SECONDS, uv_binary
from pytest_release.problems import Problem
from pytest_release.process import Access, child_environment, run_command

if TYPE_CHECKING:
    from pathlib import Path

LOCK_FILE = "uv.lock"


def keeps_a_lock(root: Path) -> bool:
    return (root / LOCK_FILE).is_file()


def relock(root: Path) -> Problem | None:
    """Run ``uv lock`` in ``root``; why the lock could not be refreshed, if it could not."""
    where = str(root / LOCK_FILE)
    fix = f"fix what stopped it, run `uv lock` in {root}, and commit {LOCK_FILE} with the bump"
    uv = uv_binary()
    if uv is None:
        what = f"the bump is written, but {LOCK_FILE} is stale: uv, which refreshes it, is "
        what += "not installed (it comes with pytest-release: is this its environment?)"
        return Problem(what, where, fix)
    result = run_command(
        [uv, "lock"],
        cwd=root,
        timeout=INSTALL_SECONDS,
        environment=child_environment(colour=False, access=Access.INSTALL),
    )
    if result.ok:
        return None
    what = f"the bump is written, but {LOCK_FILE} is stale: {result.describe()}\n{result.tail()}"
    return Problem(what, where, fix)
