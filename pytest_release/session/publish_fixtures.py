"""The fixtures of the publish gates: the session's log of what went where, and where the
files placed on an index are kept for a resumed run. (The guard is the plugin's
``pytest_runtest_setup``: it covers every publish-marked case, the user's own too.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_release.publish.progress import PublishLog
    from pytest_release.settings import Settings


@pytest.fixture(scope="session")
def publish_log(pytestconfig: pytest.Config, release_settings: Settings) -> PublishLog:
    """What this session placed on each index and tagged: the failure messages of the
    publish gates say from it what is live where, and the command that resumes."""
    from pytest_release.publish.progress import PublishLog, rerun_command
    from pytest_release.session import state

    if state.PUBLISH_LOG not in pytestconfig.stash:
        pytestconfig.stash[state.PUBLISH_LOG] = PublishLog(
            version=str(release_settings.release_version),  # a publish run has one
            rerun=rerun_command(pytestconfig.invocation_params.args),
        )
    return pytestconfig.stash[state.PUBLISH_LOG]


@pytest.fixture(scope="session")
def kept_release_files(pytestconfig: pytest.Config, release_settings: Settings) -> Path | None:
    """Where the files placed on an index are kept (pytest's cache, per version and commit),
    so that a resumed run sends the same bytes; None without a cache or a commit."""
    from pytest_release.target import git

    cache = pytestconfig.cache
    if cache is None or release_settings.release_version is None:
        return None
    try:
        commit = git.head_commit(release_settings.root)
    except git.GitError:
        return None
    return cache.mkdir("pytest-release-published") / f"{release_settings.release_version}-{commit}"
