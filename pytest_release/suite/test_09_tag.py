"""Gate 9, tag (publish, opt-in): the release's tags (`tag` format: one `v{version}`, or one
per package) created annotated on HEAD and pushed to the release branch's upstream remote.

Only with `-m publish`, and only when every gate before it, pypi included, passed in this
session. A tag already on HEAD is kept (a resumed run); one on another commit fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from pytest_release.checks import versions
from pytest_release.publish.progress import PublishLog
from pytest_release.publish.upload import publish_failure
from pytest_release.session.ledger import CHECKLIST_DETAIL
from pytest_release.settings import Settings
from pytest_release.target import git
from pytest_release.target.monorepo import Monorepo

pytestmark = [pytest.mark.tag, pytest.mark.publish]

TAG_CASE = "test_release_tags_on_head"


@pytest.fixture(scope="module")
def release_tag_names(release_settings: Settings, monorepo: Monorepo) -> list[str]:
    """The tags this release creates, in publish order."""
    version = Version(str(release_settings.release_version))  # a publish run has one
    return versions.release_tag_names(release_settings.tag, monorepo, version)


def _fail_on_moved_tags(
    moved: dict[str, str], where: str, settings: Settings, log: PublishLog
) -> None:
    """Fail when a tag of the release already names another commit than HEAD."""
    if not moved:
        return
    head = git.head_commit(settings.root)
    names = ", ".join(moved)
    raise publish_failure(
        log,
        "; ".join(
            f"tag {tag} already exists {where} on commit {commit[:12]}, not on HEAD ({head[:12]})"
            for tag, commit in moved.items()
        ),
        str(settings.root),
        f"if {names} is an earlier release, bump the version; if it was made by mistake, "
        "delete it (git tag -d TAG; git push REMOTE :refs/tags/TAG) and re-run",
    )


def _upstream_remote(settings: Settings, log: PublishLog) -> str:
    upstream = git.upstream_of(settings.root, settings.branch)
    if upstream is None or upstream[0] == ".":
        raise publish_failure(
            log,
            f"branch '{settings.branch}' has no upstream remote to push the tags to",
            str(settings.root),
            f"git push --set-upstream REMOTE {settings.branch}",
        )
    return upstream[0]


def _remote_tags(
    settings: Settings, remote: str, tags: list[str], log: PublishLog
) -> dict[str, str]:
    """The commits ``tags`` name on ``remote``; fails when one names another than HEAD."""
    try:
        on_remote = git.remote_tag_commits(settings.root, remote, tags)
    except git.GitError as error:
        raise publish_failure(
            log,
            f"the tags of remote '{remote}' could not be read: {error}",
            str(settings.root),
            "check that the remote can be reached",
        ) from None
    head = git.head_commit(settings.root)
    moved = {tag: commit for tag, commit in on_remote.items() if commit != head}
    _fail_on_moved_tags(moved, f"on remote '{remote}'", settings, log)
    return on_remote


def test_release_tags_on_head(
    git_worktree: Path,
    release_settings: Settings,
    release_tag_names: list[str],
    publish_log: PublishLog,
    request: pytest.FixtureRequest,
) -> None:
    """Every tag of the release is an annotated tag on HEAD: made now, or found there. The
    remote is asked first, so that a conflict there fails before any tag is made."""
    root = release_settings.root
    head = git.head_commit(root)
    existing = {tag: git.tag_commit(root, tag) for tag in release_tag_names}
    moved = {tag: commit for tag, commit in existing.items() if commit and commit != head}
    _fail_on_moved_tags(moved, "locally", release_settings, publish_log)
    lightweight = [tag for tag, c in existing.items() if c and not git.is_annotated(root, tag)]
    if lightweight:
        raise publish_failure(
            publish_log,
            f"{', '.join(lightweight)} on HEAD is a lightweight tag; the release's tags are "
            "annotated (they carry who tagged, when, and a message)",
            str(root),
            "delete it (git tag -d TAG) and re-run: the gate makes it annotated",
        )
    _remote_tags(release_settings, _upstream_remote(release_settings, publish_log),
                 release_tag_names, publish_log)  # fmt: skip
    for tag in release_tag_names:
        if existing[tag] is None:
            try:
                git.create_annotated_tag(root, tag, f"Release {tag}")
            except git.GitError as error:
                raise publish_failure(
                    publish_log,
                    f"git could not create the tag {tag}: {error}",
                    str(root),
                    "give git an identity (git config user.name / user.email) if it asks for one",
                ) from None
        publish_log.tags.append(tag)
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
        pytest.skip(f"not pushed: the tags are not all on HEAD (see {TAG_CASE})")
    remote = _upstream_remote(release_settings, publish_log)
    on_remote = _remote_tags(release_settings, remote, release_tag_names, publish_log)
    missing = [tag for tag in release_tag_names if tag not in on_remote]
    if missing:
        try:
            git.push_tags(release_settings.root, remote, missing)
        except git.GitError as error:
            raise publish_failure(
                publish_log,
                f"pushing {', '.join(missing)} to remote '{remote}' failed: {error}",
                str(release_settings.root),
                "check the remote's permissions (a protected tag pattern, say)",
            ) from None
    publish_log.pushed += release_tag_names
    request.node.user_properties.append(
        (CHECKLIST_DETAIL, f"pushed {', '.join(release_tag_names)} to {remote}")
    )
