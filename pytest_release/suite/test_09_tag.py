"""Gate 9, tag (publish, opt-in): the release's tags (`tag` format: one `v{version}`, or one
per package) created annotated on HEAD and pushed to the release branch's upstream remote.

Only with `-m publish`, and only when every gate before it, pypi included, passed in this
session. A tag already on HEAD is kept (a resumed run); one on another commit fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.gate import skip_blocked
from pytest_release.publish import tags
from pytest_release.publish.progress import PublishLog
from pytest_release.publish.upload import PublishStep
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo

pytestmark = [pytest.mark.tag, pytest.mark.publish]

TAG_CASE = "test_release_tags_on_head"


def test_release_tags_on_head(
    git_worktree: Path,
    release_settings: Settings,
    release_tag_names: list[str],
    publish_log: PublishLog,
    pypi_step: PublishStep,
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
) -> None:
    """Every tag of the release is an annotated tag on HEAD: made now, or found there; and
    only when every package of the release is on the production index."""
    tags.fail_unless_all_placed(pypi_step, monorepo, publish_log)
    head = tags.make_tags_on_head(release_settings, release_tag_names, publish_log)
    request.node.user_properties += [("release_tag", tag) for tag in release_tag_names]
    request.node.user_properties.append(
        (CHECKLIST_DETAIL, f"tags {', '.join(release_tag_names)} on HEAD {head[:12]}")
    )


def test_release_tags_pushed(
    git_worktree: Path,
    release_settings: Settings,
    release_tag_names: list[str],
    publish_log: PublishLog,
    request: pytest.FixtureRequest,
) -> None:
    """The tags are on the upstream remote of the release branch, pushed all at once."""
    if publish_log.tags != release_tag_names:
        skip_blocked(f"not pushed: the tags are not all on HEAD (see {TAG_CASE})")
    remote = tags.push_tags(release_settings, release_tag_names, publish_log)
    request.node.user_properties.append(
        (CHECKLIST_DETAIL, f"pushed {', '.join(release_tag_names)} to {remote}")
    )
