"""The release's tags, checked before anything is uploaded: what can fail at tag time fails
here, while both indexes are still untouched (a published file cannot be taken back)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pytest_release.checks.preflight import Unverified
from pytest_release.problems import Problem
from pytest_release.settings import Settings
from pytest_release.target import git


def invalid_tag_names(root: Path, tags: Sequence[str]) -> list[str]:
    """Those of ``tags`` that git takes for no tag name, or would read as an option."""
    return [tag for tag in tags if tag.startswith("-") or not git.valid_tag_name(root, tag)]


def tag_name_problems(invalid: Sequence[str], settings: Settings) -> list[Problem]:
    """One problem for each of the ``invalid`` tag names the tag format made."""
    where = f"tag = {settings.tag!r} ({settings.origin('tag')})"
    fix = 'write a format git accepts for a tag name, such as "v{version}" or "{name}-v{version}"'
    return [
        Problem(
            f"the tag format makes {tag!r}, which "
            + ("git would read as an option" if tag.startswith("-") else "is no valid git tag"),
            where,
            fix,
        )
        for tag in invalid
    ]


def existing_tag_problems(
    root: Path, tags: Sequence[str], remote: str | None, *, check_push: bool
) -> list[Problem]:
    """No tag of the release names another commit than HEAD, here or on ``remote``; one
    already on HEAD is annotated; with ``check_push``, the remote would take the push.
    ``Unverified("upstream")`` when the remote cannot be asked."""
    head = git.head_commit(root)
    problems: list[Problem] = []
    for tag in tags:
        commit = git.tag_commit(root, tag)
        if commit is not None and commit != head:
            problems.append(_moved(tag, "in this clone", commit, head, root))
        elif commit is not None and not git.is_annotated(root, tag):
            problems.append(
                Problem(
                    f"{tag} is a lightweight tag on HEAD; the release's tags are annotated "
                    "(who tagged, when, why), and the tag gate would refuse it after the uploads",
                    str(root),
                    f"delete it (git tag -d {tag}): the tag gate makes it, annotated; to start "
                    "a release workflow from a tag, push an annotated one (git tag -a)",
                )
            )
    if remote is None:
        return problems
    try:
        on_remote = git.remote_tag_commits(root, remote, list(tags))
    except git.GitError as error:
        raise Unverified(
            "upstream", f"the tags of remote '{remote}' could not be read ({error})"
        ) from None
    problems += [
        _moved(tag, f"on remote '{remote}'", commit, head, root)
        for tag, commit in on_remote.items()
        if commit != head
    ]
    new = [tag for tag in tags if tag not in on_remote]
    if check_push and new and not problems:
        try:
            git.push_would_be_accepted(root, remote, new)
        except git.GitError as error:
            problems.append(
                Problem(
                    f"remote '{remote}' refuses a push from this clone: {error}",
                    str(root),
                    "give this clone push access to the remote (credentials, or "
                    "`contents: write` for GitHub Actions' token), then run the gates again",
                )
            )
    return problems


def _moved(tag: str, where: str, commit: str, head: str, root: Path) -> Problem:
    return Problem(
        f"tag {tag} already exists {where} on commit {commit[:12]}, not on HEAD ({head[:12]})",
        str(root),
        f"if {tag} is an earlier release, bump the version; if it was made by mistake, delete "
        f"it (git tag -d {tag}; git push REMOTE :refs/tags/{tag}) and run the gates again",
    )
