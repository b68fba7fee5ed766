"""The few git questions the gates ask, each one function over `git -C ROOT ...`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_release.process import Access, Decoding, child_environment, run_command

FETCH_SECONDS = 120
LISTING_SECONDS = 120
# English messages (the first line of stderr is the error), and never a credential prompt.
_VARIABLES = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


class GitError(Exception):
    """git is missing, or answered with an error; the message is git's own first line, and
    its first `fatal:` or `error:` line when that comes later (after the remote's words)."""


def _git(
    root: Path,
    *args: str,
    timeout: float = 60,
    stdout_file: Path | None = None,
    decoding: Decoding = "replace",
    remote: bool = False,
) -> str:
    """git's answer (its whole stdout: every answer is parsed), or GitError. A command that
    talks to a ``remote`` may use the credentials of the environment (a token that a
    credential helper reads); no other git command sees them."""
    result = run_command(
        ["git", "-C", str(root), *args],
        timeout=timeout,
        environment=child_environment(_VARIABLES, access=Access.PUSH if remote else Access.NONE),
        separate_stderr=True,
        stdout_file=stdout_file,
        whole_stdout=True,
        decoding=decoding,
    )
    if result.not_found:
        raise GitError("git is not installed or not on PATH")
    if result.timed_out:
        raise GitError(f"`git {' '.join(args)}` did not answer within {timeout} s")
    if not result.ok:
        lines = [line.strip() for line in result.errors.splitlines() if line.strip()]
        if not lines:
            raise GitError(f"`git {args[0]}` exited {result.returncode}")
        verdict = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
        said = lines[0] if verdict in (None, lines[0]) else f"{lines[0]} ({verdict})"
        raise GitError(said)
    return result.output


def toplevel(root: Path) -> Path:
    """The work tree that holds ``root``; GitError when it is not in one."""
    return Path(_git(root, "rev-parse", "--show-toplevel").strip())


def head_commit(root: Path) -> str:
    return _git(root, "rev-parse", "HEAD").strip()


@dataclass(frozen=True)
class Change:
    path: str  # relative to the repository's top level
    staged: bool
    modified: bool
    untracked: bool


def changes(root: Path, *paths: Path) -> list[Change]:
    """Uncommitted changes (staged, modified, untracked) of ``paths``, or all below ``root``."""
    pathspecs = [str(path) for path in paths] or ["."]
    output = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *pathspecs)
    entries = output.split("\0")
    found: list[Change] = []
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        state, path = entry[:2], entry[3:]
        if state[0] in "RC":  # a rename carries its old path as the next entry
            index += 1
        found.append(
            Change(
                path=path,
                staged=state[0] not in " ?",
                modified=state[1] not in " ?",
                untracked=state == "??",
            )
        )
    return found


def current_branch(root: Path) -> str | None:
    """The checked-out branch, or None on a detached HEAD."""
    try:
        return _git(root, "symbolic-ref", "--quiet", "--short", "HEAD").strip()
    except GitError:
        return None


def short_commit(root: Path, revision: str = "HEAD") -> str:
    return _git(root, "rev-parse", "--short", revision).strip()


def config_value(root: Path, key: str) -> str | None:
    try:
        return _git(root, "config", "--get", key).strip() or None
    except GitError:
        return None


def upstream_of(root: Path, branch: str) -> tuple[str, str] | None:
    """(remote, remote-tracking ref) configured for ``branch``, or None."""
    remote = config_value(root, f"branch.{branch}.remote")
    merge = config_value(root, f"branch.{branch}.merge")
    if remote is None or merge is None:
        return None
    if remote == ".":  # tracks a local branch
        return remote, merge
    return remote, f"refs/remotes/{remote}/{merge.removeprefix('refs/heads/')}"


def fetch(root: Path, remote: str) -> None:
    """Refresh the remote-tracking refs; GitError when the remote cannot be reached."""
    _git(root, "fetch", "--quiet", "--no-tags", remote, timeout=FETCH_SECONDS, remote=True)


def ref_exists(root: Path, ref: str) -> bool:
    try:
        _git(root, "rev-parse", "--verify", "--quiet", ref)
    except GitError:
        return False
    return True


def ahead_behind(root: Path, ref: str) -> tuple[int, int]:
    """Commits HEAD has that ``ref`` lacks, and commits ``ref`` has that HEAD lacks."""
    ahead, behind = _git(root, "rev-list", "--left-right", "--count", f"HEAD...{ref}").split()
    return int(ahead), int(behind)


def tags(root: Path) -> list[str]:
    """Every tag of the repository (local: a fresh clone has the remote's)."""
    return _git(root, "tag", "--list").split()


def tags_in_history(root: Path) -> list[str]:
    """The tags on HEAD or on the commits before it: the releases this commit follows, of
    which each package's last release is read. A tag of another line (v2.0.0, while HEAD
    is a 1.x branch's backport) is not one; none outside a git work tree with a commit."""
    try:
        return _git(root, "tag", "--list", "--merged", "HEAD").split()
    except GitError:
        return []


@dataclass(frozen=True)
class ChangesSince:
    """What changed in a folder between a tag and HEAD: the files that differ, and the
    commits that touched it."""

    files: tuple[str, ...]  # relative to the repository's top level
    commits: int


def changes_since(
    root: Path, tag: str, folder: str, excluded: tuple[str, ...] = ()
) -> ChangesSince:
    """The tracked files below ``folder`` (relative to ``root``) that differ between the tag
    ``tag`` and HEAD, and the commits since the tag that touched them; ``excluded`` folders
    (the packages nested in it) left out."""
    pathspecs = ["--", folder, *(f":(exclude){path}" for path in excluded)]
    ref = f"refs/tags/{tag}"
    names = _git(root, "diff", "--name-only", "-z", "--no-renames", ref, "HEAD", *pathspecs)
    count = _git(root, "rev-list", "--count", f"{ref}..HEAD", *pathspecs)
    return ChangesSince(tuple(name for name in names.split("\0") if name), int(count))


def file_at(root: Path, tag: str, path: str) -> str | None:
    """The text of the file ``path`` (relative to ``root``) at the tag ``tag``; None when
    the tag's commit has no such file."""
    try:
        return _git(root, "show", f"refs/tags/{tag}:./{path}")
    except GitError:
        return None


def tags_on_head(root: Path) -> list[str]:
    return _git(root, "tag", "--list", "--points-at", "HEAD").split()


def tag_commit(root: Path, tag: str) -> str | None:
    """The commit the tag ``tag`` points at (through an annotated tag), or None."""
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}").strip()
    except GitError:
        return None


def is_annotated(root: Path, tag: str) -> bool:
    return _git(root, "cat-file", "-t", f"refs/tags/{tag}").strip() == "tag"


def create_annotated_tag(root: Path, tag: str, message: str) -> None:
    """An annotated tag ``tag`` on HEAD (git needs an identity for it: user.name, email)."""
    _git(root, "tag", "--annotate", "--message", message, tag, "HEAD")


def remote_tag_commits(root: Path, remote: str, tags: list[str]) -> dict[str, str]:
    """The commit each of ``tags`` points at on ``remote`` (peeled), for those it has."""
    output = _git(
        root,
        "ls-remote",
        "--tags",
        remote,
        # Given patterns, git lists a peeled `^{}` line only when asked for it by name.
        *(ref for tag in tags for ref in (f"refs/tags/{tag}", f"refs/tags/{tag}^{{}}")),
        timeout=FETCH_SECONDS,
        remote=True,
    )
    found: dict[str, str] = {}
    for line in output.splitlines():
        sha, _, ref = line.partition("\t")
        name = ref.removeprefix("refs/tags/")
        if name.endswith("^{}"):  # the commit an annotated tag points at
            found[name.removesuffix("^{}")] = sha
        else:
            found.setdefault(name, sha)
    return found


def valid_tag_name(root: Path, tag: str) -> bool:
    """Whether ``tag`` is a name git accepts for a tag (``git check-ref-format``)."""
    try:
        _git(root, "check-ref-format", f"refs/tags/{tag}")
    except GitError:
        return False
    return True


def push_would_be_accepted(root: Path, remote: str, tags: Sequence[str]) -> None:
    """A dry-run push of HEAD as each of ``tags``: GitError, with git's words, when the
    remote refuses this clone a push (no permission, no credentials, a read-only URL)."""
    _git(
        root,
        "push",
        "--dry-run",
        "--atomic",
        "--no-verify",
        "--quiet",
        remote,
        *(f"HEAD:refs/tags/{tag}" for tag in tags),
        timeout=FETCH_SECONDS,
        remote=True,
    )


def push_tags(root: Path, remote: str, tags: list[str]) -> None:
    """Push ``tags`` to ``remote`` all at once or not at all (``--atomic``)."""
    _git(
        root,
        "push",
        "--atomic",
        "--quiet",
        "--no-verify",  # the repo's pre-push hook would run with the push's credentials
        remote,
        *(f"refs/tags/{tag}" for tag in tags),
        timeout=FETCH_SECONDS,
        remote=True,
    )


def commit_time(root: Path, revision: str = "HEAD", *, paths: Sequence[str] = ()) -> int:
    """The committer time of ``revision``, in seconds since the epoch; with ``paths``, of
    the last commit up to ``revision`` that changed one of them (``revision``'s own when
    none did)."""
    if paths:
        changed = _git(root, "log", "-1", "--format=%ct", revision, "--", *paths).strip()
        if changed:
            return int(changed)
    return int(_git(root, "log", "-1", "--format=%ct", revision).strip())


def archive(
    root: Path, ref: str, destination: Path, *, paths: Sequence[str], timeout: float = 120
) -> None:
    """Write those of ``paths`` (relative to ``root``) that exist at commit ``ref`` as a tar
    archive to the file ``destination``; nothing else of the commit is read (a blob missing
    elsewhere does no harm). An empty archive when none of them exists there."""
    listed = _git(root, "ls-tree", "--name-only", "-z", ref, "--", *paths)
    present = [path for path in listed.split("\0") if path]
    if not present:
        destination.write_bytes(bytes(1024))  # a tar archive's end: two empty blocks
        return
    _git(
        root, "archive", "--format=tar", ref, "--", *present,
        timeout=timeout, stdout_file=destination,
    )  # fmt: skip


def listed_files(root: Path) -> list[str]:
    """The files below ``root`` a fresh clone with the uncommitted edits would have (tracked,
    plus untracked ones git does not ignore), relative to ``root``, named as on disk."""
    output = _git(
        root,
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
        timeout=LISTING_SECONDS,
        decoding="surrogateescape",
    )
    return [name for name in output.split("\0") if name]
