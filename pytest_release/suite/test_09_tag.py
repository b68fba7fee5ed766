"""Gate 9, tag (publish, opt-in): the release's tags (`tag` format: one `v{version}`, or one
per package) created annotated on HEAD and pushed to the release branch's upstream remote.

Only with `-m publish`, and only when every gate before it, pypi included, passed in this
session. A tag already on HEAD is kept (a resumed run); one on another commit fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from pytest_release import git, versions
from pytest_release.ledger import CHECKLIST_DETAIL
from pytest_release.monorepo import Monorepo
from pytest_release.publish import PublishLog
from pytest_release.publish_upload import publish_failure
from pytest_release.settings import Settings

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
        settings,
        "; ".join(
            f"tag {tag} already exists {where} on commit {commit[:12]}, not on HEAD ({head[:12]})"
            for tag, commit in moved.items()
        ),
        str(settings.root),
        f"if {names} is an earlier release, bump the version; if it was made by mistake, "
        "delete it (git tag -d TAG; git push REMOTE :refs/tags/TAG) and re-run",
    )


def test_release_tags_on_head(
    git_worktree: Path,
    release_settings: Settings,
    release_tag_names: list[str],
    publish_log: PublishLog,
    request: pytest.FixtureRequest,
) -> None:
    """Every tag of the release is an annotated tag on HEAD: made now, or found there."""
    root = release_settings.root
    head = git.head_commit(root)
    existing = {tag: git.tag_commit(root, tag) for tag in release_tag_names}
    moved = {tag: commit for tag, commit in existing.items() if commit and commit != head}
    _fail_on_moved_tags(moved, "locally", release_settings, publish_log)
    version = release_settings.release_version
    for tag in release_tag_names:
        if existing[tag] is None:
            try:
                git.create_annotated_tag(root, tag, f"Release {version}")
            except git.GitError as error:
                raise publish_failure(
                    publish_log,
                    release_settings,
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
    root, branch = release_settings.root, release_settings.branch
    upstream = git.upstream_of(root, branch)
    if upstream is None or upstream[0] == ".":
        raise publish_failure(
            publish_log,
            release_settings,
            f"branch '{branch}' has no upstream remote to push the tags to",
            str(root),
            f"git push --set-upstream REMOTE {branch}",
        )
    remote = upstream[0]
    head = git.head_commit(root)
    try:
        on_remote = git.remote_tag_commits(root, remote, release_tag_names)
    except git.GitError as error:
        raise publish_failure(
            publish_log,
            release_settings,
            f"the tags of remote '{remote}' could not be read: {error}",
            str(root),
            "check that the remote can be reached",
        ) from None
    moved = {tag: commit for tag, commit in on_remote.items() if commit != head}
    _fail_on_moved_tags(moved, f"on remote '{remote}'", release_settings, publish_log)
    missing = [tag for tag in release_tag_names if tag not in on_remote]
    if missing:
        try:
            git.push_tags(root, remote, missing)
        except git.GitError as error:
            raise publish_failure(
                publish_log,
                release_settings,
                f"pushing {', '.join(missing)} to remote '{remote}' failed: {error}",
                str(root),
                "check the remote's permissions (a protected tag pattern, say)",
            ) from None
    publish_log.pushed += release_tag_names
    request.node.user_properties.append(
        (CHECKLIST_DETAIL, f"pushed {', '.join(release_tag_names)} to {remote}")
    )
