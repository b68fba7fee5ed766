"""The release's tags (gate 9): made annotated on HEAD, then pushed to the release branch's
upstream remote all at once. A tag already on HEAD is kept (a resumed run); one on another
commit, locally or on the remote, stops the gate before anything is made or pushed.

Each refusal is a publish failure that says what is live where, and what to do next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pytest_release.publish.progress import PublishLog
from pytest_release.publish.upload import publish_failure
from pytest_release.settings import Settings
from pytest_release.target import git


def moved_tags(commits: Mapping[str, str | None], head: str) -> dict[str, str]:
    """The tags of ``commits`` (tag -> the commit it names, None when absent) that name
    another commit than ``head``."""
    return {tag: commit for tag, commit in commits.items() if commit and commit != head}


def _fail_on_moved_tags(
    moved: Mapping[str, str], where: str, head: str, settings: Settings, log: PublishLog
) -> None:
    if not moved:
        return
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


def upstream_remote(settings: Settings, log: PublishLog) -> str:
    """The remote the release branch tracks, which receives the tags."""
    upstream = git.upstream_of(settings.root, settings.branch)
    if upstream is None or upstream[0] == ".":
        raise publish_failure(
            log,
            f"branch '{settings.branch}' has no upstream remote to push the tags to",
            str(settings.root),
            f"git push --set-upstream REMOTE {settings.branch}",
        )
    return upstream[0]


def remote_tags(
    settings: Settings, remote: str, tags: Sequence[str], head: str, log: PublishLog
) -> dict[str, str]:
    """The commits ``tags`` name on ``remote``; fails when one names another than HEAD."""
    try:
        on_remote = git.remote_tag_commits(settings.root, remote, list(tags))
    except git.GitError as error:
        raise publish_failure(
            log,
            f"the tags of remote '{remote}' could not be read: {error}",
            str(settings.root),
            "check that the remote can be reached",
        ) from None
    _fail_on_moved_tags(moved_tags(on_remote, head), f"on remote '{remote}'", head, settings, log)
    return on_remote


def make_tags_on_head(settings: Settings, tags: Sequence[str], log: PublishLog) -> str:
    """Every tag of ``tags`` an annotated tag on HEAD: made now, or found there; the
    remote is asked first, so that a conflict there fails before any tag is made. HEAD."""
    root = settings.root
    head = git.head_commit(root)
    existing = {tag: git.tag_commit(root, tag) for tag in tags}
    _fail_on_moved_tags(moved_tags(existing, head), "locally", head, settings, log)
    lightweight = [tag for tag, c in existing.items() if c and not git.is_annotated(root, tag)]
    if lightweight:
        raise publish_failure(
            log,
            f"{', '.join(lightweight)} on HEAD is a lightweight tag; the release's tags are "
            "annotated (they carry who tagged, when, and a message)",
            str(root),
            "delete it (git tag -d TAG) and re-run: the gate makes it annotated",
        )
    remote_tags(settings, upstream_remote(settings, log), tags, head, log)
    for tag in tags:
        if existing[tag] is None:
            try:
                git.create_annotated_tag(root, tag, f"Release {tag}")
            except git.GitError as error:
                raise publish_failure(
                    log,
                    f"git could not create the tag {tag}: {error}",
                    str(root),
                    "give git an identity (git config user.name / user.email) if it asks for one",
                ) from None
        log.tags.append(tag)
    return head


def push_tags(settings: Settings, tags: Sequence[str], log: PublishLog) -> str:
    """The tags on the upstream remote of the release branch, pushed all at once (those it
    lacks). The remote."""
    remote = upstream_remote(settings, log)
    head = git.head_commit(settings.root)
    on_remote = remote_tags(settings, remote, tags, head, log)
    missing = [tag for tag in tags if tag not in on_remote]
    if missing:
        try:
            git.push_tags(settings.root, remote, missing)
        except git.GitError as error:
            raise publish_failure(
                log,
                f"pushing {', '.join(missing)} to remote '{remote}' failed: {error}",
                str(settings.root),
                "check the remote's permissions (a protected tag pattern, say)",
            ) from None
    log.pushed += tags
    return remote
