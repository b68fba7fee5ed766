"""The release's tags (gate 9): made annotated on HEAD, then pushed to the release branch's
upstream remote all at once. A tag already on HEAD is kept (a resumed run); one on another
commit, locally or on the remote, stops the gate before anything is made or pushed (the
preflight checked the same before the uploads: this is for what changed since).

Each refusal is a publish failure that says what is live where, and what to do next.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_release.checks.preflight import Unverified
from pytest_release.checks.release_tags import existing_tag_problems
from pytest_release.problems import Problem
from pytest_release.publish.progress import PublishLog
from pytest_release.publish.upload import PublishStep, publish_failure
from pytest_release.settings import Settings
from pytest_release.target import git
from pytest_release.target.monorepo import Monorepo


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


def _fail_on(problems: Sequence[Problem], settings: Settings, log: PublishLog) -> None:
    if problems:
        what = "; ".join(problem.what for problem in problems)
        raise publish_failure(log, what, str(settings.root), problems[0].fix)


def _checked(settings: Settings, tags: Sequence[str], remote: str, log: PublishLog) -> None:
    """The tags as the preflight checked them: none on another commit, here or on the
    remote, and none lightweight on HEAD."""
    try:
        problems = existing_tag_problems(settings.root, tags, remote, check_push=False)
    except Unverified as unverified:
        raise publish_failure(
            log, unverified.reason, str(settings.root), "check that the remote can be reached"
        ) from None
    _fail_on(problems, settings, log)


def fail_unless_all_placed(pypi: PublishStep, monorepo: Monorepo, log: PublishLog) -> None:
    """A release is tagged only when every package of it is on the production index: a
    `-k` selection that left one out tags nothing."""
    absent = pypi.unplaced(pypi.packages)
    if absent:
        raise publish_failure(
            log,
            f"{', '.join(absent)} not placed on {pypi.shown} in this session, so the release "
            "is not whole there and is not tagged",
            str(monorepo.root),
            "run the publish without -k (or with every package), so that each reaches the index",
        )


def make_tags_on_head(settings: Settings, tags: Sequence[str], log: PublishLog) -> str:
    """Every tag of ``tags`` an annotated tag on HEAD: made now, or found there; the
    remote is asked first, so that a conflict there fails before any tag is made. HEAD."""
    root = settings.root
    _checked(settings, tags, upstream_remote(settings, log), log)
    for tag in tags:
        if git.tag_commit(root, tag) is None:
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
    return git.head_commit(root)


def push_tags(settings: Settings, tags: Sequence[str], log: PublishLog) -> str:
    """The tags on the upstream remote of the release branch, pushed all at once (those it
    lacks). The remote."""
    remote = upstream_remote(settings, log)
    _checked(settings, tags, remote, log)
    try:
        on_remote = git.remote_tag_commits(settings.root, remote, list(tags))
        missing = [tag for tag in tags if tag not in on_remote]
        if missing:
            git.push_tags(settings.root, remote, missing)
    except git.GitError as error:
        raise publish_failure(
            log,
            f"pushing {', '.join(tags)} to remote '{remote}' failed: {error}",
            str(settings.root),
            "check the remote's permissions (a protected tag pattern, say)",
        ) from None
    log.pushed += tags
    return remote
