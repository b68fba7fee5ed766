"""The fixtures of the publish gates: the guard that lets a step act only after every gate
before it passed, and the session's log of what went where."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_release.publish import PublishLog
    from pytest_release.settings import Settings


@pytest.fixture
def publish_clearance(request: pytest.FixtureRequest) -> None:
    """Skip the publish step asking, with the reasons, unless every gate before its own
    passed in this session (a skip counts only when waived, or when there was nothing to
    check). Nothing is uploaded or tagged past a gate that did not pass."""
    from pytest_release import state
    from pytest_release.publish_guard import publish_blockers

    gate = dict(request.node.user_properties).get("release_gate")
    if not isinstance(gate, str) or state.LEDGER not in request.config.stash:
        return
    blockers = publish_blockers(request.config.stash[state.LEDGER], gate)
    if blockers:
        pytest.skip(f"blocked, nothing sent: {'; '.join(blockers)}")


@pytest.fixture(scope="session")
def publish_log(pytestconfig: pytest.Config) -> PublishLog:
    """What this session placed on each index and tagged: the failure messages of the
    publish gates say from it what is live where."""
    from pytest_release import state
    from pytest_release.publish import PublishLog

    if state.PUBLISH_LOG not in pytestconfig.stash:
        pytestconfig.stash[state.PUBLISH_LOG] = PublishLog()
    return pytestconfig.stash[state.PUBLISH_LOG]


@pytest.fixture(scope="session")
def kept_release_files(pytestconfig: pytest.Config, release_settings: Settings) -> Path | None:
    """Where the files placed on an index are kept (pytest's cache, per version and commit),
    so that a resumed run sends the same bytes; None without a cache or a commit."""
    from pytest_release import git

    cache = pytestconfig.cache
    if cache is None or release_settings.release_version is None:
        return None
    try:
        commit = git.head_commit(release_settings.root)
    except git.GitError:
        return None
    return cache.mkdir("pytest-release-published") / f"{release_settings.release_version}-{commit}"
