"""Gate 10, github-release (publish, opt-in): the GitHub release of each tag the tag gate
pushed, with the changelog section of its version as its notes, marked pre-release for
aN/bN/rcN versions, and the files on the production index attached when
`github-release-files` asks.

Only with `-m publish`, and only when every gate before it, tag included, passed in this
session. Off GitHub, or without GITHUB_TOKEN (or GH_TOKEN), there is nothing to do. A
resumed run finds each release by its tag and only brings it up to date."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from packaging.version import Version

from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.checks.release_scope import ReleaseScope
from pytest_release.gate import skip_nothing_to_check
from pytest_release.publish import github_release, github_release_notes
from pytest_release.publish.progress import PublishLog
from pytest_release.publish.upload import PublishStep, publish_failure
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo

# The gate's name is its marker: `-m github-release` selects it.
pytestmark = [getattr(pytest.mark, "github-release"), pytest.mark.publish]


def test_github_release_with_the_changelog_notes(
    git_worktree: Path,
    release_settings: Settings,
    monorepo: Monorepo,
    release_scope: ReleaseScope,
    release_version: Version,
    pypi_step: PublishStep,
    publish_log: PublishLog,
    request: pytest.FixtureRequest,
) -> None:
    """Each tag of the release has its GitHub release: made now, or found and brought up to
    date (notes, pre-release flag, the files it lacks)."""
    root = release_settings.root
    client = github_release.releases_of(root, release_settings.branch, os.environ)
    if isinstance(client, github_release.NoGitHubRelease):
        skip_nothing_to_check(client.reason)
    released = release_scope.released(monorepo.packages)
    planned = github_release_notes.planned_releases(
        release_settings, released, release_version, root
    )
    attached = pypi_step.sent if release_settings.github_release_files else {}
    files = {name: [file.path for file in placed] for name, placed in attached.items()}
    try:
        done = github_release.publish_releases(client, planned, root, files, client.server_url)
    except github_release_notes.GitHubReleaseError as error:
        raise publish_failure(publish_log, error.what, error.where, error.fix) from None
    request.node.user_properties += [("github_release", each.describe()) for each in done]
    request.node.user_properties.append(
        (CHECKLIST_DETAIL, "; ".join(each.describe() for each in done))
    )
