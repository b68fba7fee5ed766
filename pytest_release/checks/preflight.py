"""Gate 0's checks: each returns the problems it found, or raises Unverified."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pytest_release.checks import ci_status, github_api
from pytest_release.checks.credentials import (
    CredentialKind,
    credential_source,
    missing_credentials_fix,
)
from pytest_release.index.names import read_pypirc, resolve_upload_index, same_host, unread_by_twine
from pytest_release.problems import Problem
from pytest_release.settings import Settings
from pytest_release.target import git
from pytest_release.target.pyproject import relative

MAX_LISTED_CHANGES = 20
_CI_FAILED_FIX = "fix the failures, push, and run the gates again once CI is green"
_CI_PENDING_FIX = "wait until CI is done for this commit and run the gates again"


class Unverified(Exception):
    """A check that could not be carried out; ``check`` names it for --allow-unverified."""

    def __init__(self, check: str, reason: str) -> None:
        super().__init__(reason)
        self.check = check
        self.reason = reason


def git_work_tree_problems(root: Path) -> list[Problem]:
    try:
        git.toplevel(root)
        git.head_commit(root)
    except git.GitError as error:
        if "not installed" in str(error):
            return [Problem(str(error), str(root), "install git and run the gates again")]
        if "unknown revision" in str(error) or "ambiguous argument 'HEAD'" in str(error):
            return [
                Problem(
                    "the git repository has no commit yet",
                    str(root),
                    "commit the release (git add -A && git commit) and run the gates again",
                )
            ]
        return [
            Problem(
                f"not a git work tree ({error}); the gates read the working tree, the "
                "branch, the remote and the tags from git",
                str(root),
                "run the gates in a clone of the repository (or `git init` and commit), "
                "or point --monorepo=PATH at the clone",
            )
        ]
    return []


def uncommitted_changes(root: Path) -> list[Problem]:
    changes = git.changes(root)
    if not changes:
        return []
    kinds = (
        ("staged", [c.path for c in changes if c.staged]),
        ("modified", [c.path for c in changes if c.modified]),
        ("untracked", [c.path for c in changes if c.untracked]),
    )
    listing: list[str] = []
    for kind, paths in kinds:
        listing += [f"{kind}: {path}" for path in paths]
    shown = listing[:MAX_LISTED_CHANGES]
    if len(listing) > len(shown):
        shown.append(f"... and {len(listing) - len(shown)} more")
    return [
        Problem(
            "the working tree is not clean, so the release would not be what is committed:\n    "
            + "\n    ".join(shown),
            str(root),
            "commit the changes, or stash them (git stash --include-untracked), "
            "or add generated files to .gitignore",
        )
    ]


def uncommitted_files(
    root: Path, top: Path, files: Iterable[Path], *, subject: str, fix: str
) -> list[Problem]:
    """One problem per file of ``files`` that differs from HEAD or was never committed;
    ``top`` is the work tree's top, to which git's paths are relative."""
    return [
        Problem(
            f"has uncommitted changes, so the {subject} would not be HEAD's"
            if not change.untracked
            else "is not committed at all (untracked)",
            relative(top / change.path, root),
            fix,
        )
        for change in git.changes(root, *files)
    ]


def branch_problems(root: Path, settings: Settings) -> list[Problem]:
    branch = git.current_branch(root)
    if branch == settings.branch:
        return []
    where = f"{root} ({settings.origin('branch')})"
    if branch is None:
        what = f"HEAD is detached at {git.short_commit(root)}, not on the release branch"
        fix = f"git switch {settings.branch} (with the release commit on it)"
    else:
        what = f"on branch '{branch}', but releases are made from '{settings.branch}'"
        fix = (
            f"git switch {settings.branch} (merge the release there first), or set "
            f'branch = "{branch}" in [tool.pytest-release] of {settings.config_file}'
        )
    return [Problem(what, where, fix)]


def upstream_problems(root: Path, settings: Settings) -> list[Problem]:
    branch = settings.branch
    upstream = git.upstream_of(root, branch)
    if upstream is None:
        remote = "origin" if git.config_value(root, "remote.origin.url") else None
        fix = (
            f"git push --set-upstream {remote} {branch}"
            if remote
            else f"git remote add origin URL && git push --set-upstream origin {branch}"
        )
        return [Problem(f"branch '{branch}' has no upstream to compare with", str(root), fix)]
    remote, ref = upstream
    if remote != ".":
        try:
            git.fetch(root, remote)
        except git.GitError as error:
            raise Unverified(
                "upstream",
                f"could not fetch from remote '{remote}' ({error}), so '{branch}' was not "
                "compared with its upstream",
            ) from None
    if not git.ref_exists(root, ref):
        return [
            Problem(
                f"the upstream of '{branch}' ({ref.removeprefix('refs/remotes/')}) "
                "does not exist on the remote",
                str(root),
                f"git push --set-upstream {remote} {branch}",
            )
        ]
    ahead, behind = git.ahead_behind(root, ref)
    name = ref.removeprefix("refs/remotes/")
    if behind and ahead:
        return [
            Problem(
                f"HEAD and {name} have diverged: {ahead} local and {behind} remote commit(s)",
                str(root),
                f"git pull --rebase {remote} {branch}, run the gates again, then push",
            )
        ]
    if behind:
        return [
            Problem(
                f"HEAD is {behind} commit(s) behind {name}",
                str(root),
                f"git pull --ff-only {remote} {branch} and run the gates again",
            )
        ]
    return []


def ci_problems(root: Path, settings: Settings, environ: Mapping[str, str]) -> list[Problem]:
    remote = github_api.release_remote(root, settings.branch, environ)
    repository = remote.repository
    if remote.url is None:
        raise Unverified("ci", f"there is no remote '{remote.name}' whose CI could be read")
    if repository is None:
        where = f"remote '{remote.name}' ({remote.url})"
        raise Unverified("ci", f"{where} is not on GitHub ({remote.server_url})")
    token = github_api.github_token(environ)
    if not token:
        raise Unverified("ci", f"GITHUB_TOKEN is not set, so CI of {repository} was not read")
    commit = git.head_commit(root)
    where = f"{repository} at {commit[:12]}"
    try:
        state = ci_status.fetch_ci_state(
            github_api.api_url(environ), repository, commit, token, environ.get("GITHUB_RUN_ID")
        )
    except ci_status.CiUnreachable as error:
        raise Unverified("ci", str(error)) from None
    except ci_status.CiRejected as error:
        return [
            Problem(
                f"GitHub refused to show the CI state: {error}",
                where,
                "set GITHUB_TOKEN to a token that can read the repository's statuses and checks",
            )
        ]
    if state.verdict == "none":
        raise Unverified("ci", f"GitHub has no statuses or check runs for {where}")
    if state.verdict == "failure":
        what, fix = "CI failed for HEAD: " + ", ".join(state.failing), _CI_FAILED_FIX
    elif state.verdict == "pending":
        what, fix = "CI has not finished for HEAD: " + ", ".join(state.pending), _CI_PENDING_FIX
    else:
        return []
    return [Problem(what, where, fix)]


def credential_problems(
    settings: Settings, index_key: str, environ: Mapping[str, str]
) -> tuple[list[Problem], str | None]:
    """The problems, and where twine would find the credentials (never their value)."""
    pypirc = read_pypirc(Path.home())
    index = resolve_upload_index(getattr(settings, index_key), pypirc)
    if index.upload_url is None and not index.is_local:
        return [
            Problem(
                f"the {index_key} index '{index.label}' is not a repository in ~/.pypirc, "
                "a well-known index or a URL",
                settings.origin(index_key),
                f"add a [{index.label}] section with a repository URL to ~/.pypirc, "
                f"or give --{index_key} an upload URL",
            )
        ], None
    if unread_by_twine(index, pypirc):
        return [
            Problem(
                f"~/.pypirc has a [{index.repository}] section for the {index_key} index, but "
                "twine reads only the sections that [distutils] index-servers lists",
                str(Path.home() / ".pypirc"),
                f"add {index.repository} to index-servers in the [distutils] section",
            )
        ], None
    source = credential_source(index, pypirc, environ, index_key)
    if source is not None:
        return [], source.where
    return [
        Problem(
            f"no upload credentials for {index.describe()}",
            settings.origin(index_key),
            missing_credentials_fix(index, index_key),
        )
    ], None


def shared_credential_problems(settings: Settings, environ: Mapping[str, str]) -> list[Problem]:
    """TWINE_PASSWORD would be sent to two different hosts: the production token to the
    staging index first. Each index then needs its own token."""
    pypirc = read_pypirc(Path.home())
    indexes = [
        resolve_upload_index(settings.testpypi, pypirc),
        resolve_upload_index(settings.pypi, pypirc),
    ]
    shared = [
        index
        for index, role in zip(indexes, ("testpypi", "pypi"), strict=True)
        if (source := credential_source(index, pypirc, environ, role)) is not None
        and source.kind is CredentialKind.SHARED_PASSWORD
    ]
    if len(shared) < 2 or same_host(shared[0].upload_url or "", shared[1].upload_url or ""):
        return []
    return [
        Problem(
            f"TWINE_PASSWORD would be sent to both {shared[0].describe()} and "
            f"{shared[1].describe()}: the production token would reach the staging index first",
            "TWINE_PASSWORD in the environment",
            "give each index its own token: RELEASE_TESTPYPI_TOKEN and RELEASE_PYPI_TOKEN "
            "(or a password in each one's ~/.pypirc section), and unset TWINE_PASSWORD",
        )
    ]
