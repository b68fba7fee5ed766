"""The GitHub release of each of the release's tags (the step after the tag gate): the
changelog section of its version as its notes (``github_release_notes``), a pre-release for
aN/bN/rcN (and .devN), the files on the production index attached when
``github-release-files`` asks; made, or on a resumed run brought up to date, through
GitHub's REST API.

Idempotent: the release is looked up by its tag; one that is there gets only the notes and
pre-release flag it lacks, and only the files it does not hold (by name; one of the same
name and size is kept). With ``changelog = false`` GitHub writes the notes itself (its
generated notes: the pull requests merged since the previous release), and an existing
release's notes are left alone.

Pure logic (no pytest): what went wrong is raised as a ``GitHubReleaseError`` (what, where,
fix), which the gate turns into a publish failure saying what is live where.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from pytest_release.checks.github_api import (
    DEFAULT_SERVER_URL,
    GitHubHttpError,
    GitHubRepository,
    GitHubUnreachable,
    api_url,
    github_token,
    release_remote,
    request,
    same_origin,
)
from pytest_release.publish.github_release_notes import (
    GitHubReleaseError,
    PlannedRelease,
    release_notes,
)

Action = Literal["created", "updated", "unchanged"]
ASSET_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class WantedRelease:
    """What the GitHub release of a tag is to be: its notes (None: GitHub's generated
    ones), pre-release or not, and the files attached to it."""

    tag: str
    notes: str | None
    prerelease: bool
    files: tuple[Path, ...] = ()

    def to_create(self) -> dict[str, object]:
        """The body of the request that makes the release."""
        made: dict[str, object] = {"tag_name": self.tag, "name": self.tag}
        if self.notes is None:
            made["generate_release_notes"] = True
        else:
            made["body"] = self.notes
        return made | {"prerelease": self.prerelease}


@dataclass(frozen=True)
class ReleasePlan:
    """What to do to a tag's GitHub release: make it, or change these fields of the one
    there; and the files to attach (those it holds under their name and size are kept)."""

    create: bool
    changes: Mapping[str, object] = field(default_factory=dict)
    uploads: tuple[Path, ...] = ()
    kept: tuple[str, ...] = ()


def plan_release(
    wanted: WantedRelease, existing: Mapping[str, Any] | None, sizes: Mapping[Path, int]
) -> ReleasePlan:
    """What brings ``existing`` (GitHub's release of the tag, None when there is none) to
    ``wanted``; ``sizes``: each file's size. A file the release holds under the name with
    another size is not the release's: that is refused, never replaced."""
    if existing is None:
        return ReleasePlan(True, uploads=wanted.files)
    changes: dict[str, object] = {}
    if wanted.notes is not None and _normalized(existing.get("body")) != _normalized(wanted.notes):
        changes["body"] = wanted.notes
    if bool(existing.get("prerelease")) != wanted.prerelease:
        changes["prerelease"] = wanted.prerelease
    held = {
        str(asset.get("name")): asset.get("size")
        for asset in existing.get("assets") or []
        if isinstance(asset, dict)
    }
    other = [path for path in wanted.files if path.name in held and held[path.name] != sizes[path]]
    if other:
        raise GitHubReleaseError(
            f"the GitHub release of {wanted.tag} holds "
            + ", ".join(
                f"{p.name} of {held[p.name]} bytes (this release's: {sizes[p]})" for p in other
            ),
            str(existing.get("html_url") or wanted.tag),
            "delete those files from the release on GitHub, then re-run to attach the release's",
        )
    return ReleasePlan(
        False,
        changes,
        tuple(path for path in wanted.files if path.name not in held),
        tuple(path.name for path in wanted.files if path.name in held),
    )


def _normalized(notes: object) -> str:
    return "\n".join(line.rstrip() for line in str(notes or "").splitlines()).strip()


@dataclass(frozen=True)
class ReleaseDone:
    """What the step did to a tag's release: its page, and the files it attached now or
    found attached."""

    tag: str
    url: str
    action: Action
    prerelease: bool
    uploaded: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    def describe(self) -> str:
        """``release v1.4.0 created (pre-release): https://...; attached a.whl, b.tar.gz``"""
        kind = " (pre-release)" if self.prerelease else ""
        said = f"release {self.tag} {self.action}{kind}: {self.url}"
        if self.uploaded:
            said += f"; attached {', '.join(self.uploaded)}"
        if self.kept:
            said += f"; already attached {', '.join(self.kept)}"
        return said


@dataclass(frozen=True)
class NoGitHubRelease:
    """Why this repository gets no GitHub release: nothing to do, not a failure."""

    reason: str


def releases_of(
    root: Path, branch: str, environ: Mapping[str, str]
) -> GitHubReleases | NoGitHubRelease:
    """The GitHub releases of the repository the release branch's remote is, with the token
    from ``environ``; or why there are none to make (no remote, off GitHub, no token)."""
    remote = release_remote(root, branch, environ)
    if remote.url is None:
        return NoGitHubRelease(f"there is no remote '{remote.name}': no GitHub release")
    if remote.repository is None:
        return NoGitHubRelease(
            f"remote '{remote.name}' ({remote.url}) is not on GitHub ({remote.server_url}): "
            "no GitHub release"
        )
    token = github_token(environ)
    if token is None:
        return NoGitHubRelease(
            f"GITHUB_TOKEN (or GH_TOKEN) is not set: no GitHub release of {remote.repository}"
        )
    return GitHubReleases(api_url(environ), remote.repository, token, remote.server_url)


class GitHubReleases:
    """The releases of one GitHub repository, through the REST API with a token."""

    def __init__(
        self,
        api_url: str,
        repository: GitHubRepository,
        token: str,
        server_url: str = DEFAULT_SERVER_URL,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.repository = repository
        self.server_url = server_url  # where the release pages are, for the messages
        self._token = token
        self._base = f"{self.api_url}/repos/{repository.owner}/{repository.name}/releases"

    def find(self, tag: str) -> dict[str, Any] | None:
        """The (published) release of ``tag``, or None when GitHub has none."""
        try:
            found, _ = request("GET", f"{self._base}/tags/{quote(tag, safe='')}", self._token)
        except GitHubHttpError as error:
            if error.code == 404:
                return None
            raise
        return _release(found)

    def create(self, wanted: WantedRelease) -> dict[str, Any]:
        made, _ = request("POST", self._base, self._token, body=wanted.to_create())
        return _release(made)

    def update(self, release: Mapping[str, Any], changes: Mapping[str, object]) -> dict[str, Any]:
        changed, _ = request("PATCH", f"{self._base}/{release['id']}", self._token, body=changes)
        return _release(changed)

    def attach(self, release: Mapping[str, Any], path: Path) -> None:
        """Upload ``path`` as an asset of ``release``, to the upload URL GitHub gave it."""
        upload_url = str(release.get("upload_url") or "").split("{", 1)[0]
        if not uploads_take_the_token(upload_url, self.api_url):
            raise GitHubUnreachable(
                f"GitHub named {upload_url or 'no URL'} to upload files to, which is not its "
                "own upload host: the token was not sent there"
            )
        request(
            "POST",
            f"{upload_url}?name={quote(path.name, safe='')}",
            self._token,
            upload=(path.read_bytes(), ASSET_TYPE),
        )


def _release(answer: object) -> dict[str, Any]:
    if not isinstance(answer, dict) or "id" not in answer:
        raise GitHubUnreachable("GitHub's API answered with something that is not a release")
    return answer


def uploads_take_the_token(upload_url: str, api_url: str) -> bool:
    """Whether the token may go to ``upload_url``: the API's own origin (GitHub Enterprise,
    the tests' stand-in), or github.com's upload host over https."""
    upload, api = urlsplit(upload_url), urlsplit(api_url)
    if same_origin(upload_url, api_url):
        return True
    api_host = (api.hostname or "").removeprefix("api.")
    return upload.scheme == "https" and upload.hostname == f"uploads.{api_host}"


def publish_release(client: GitHubReleases, wanted: WantedRelease) -> ReleaseDone:
    """The GitHub release of ``wanted.tag`` as ``wanted`` says: made, brought up to date,
    or found so. Raises GitHubHttpError or GitHubUnreachable (see ``failure_of``)."""
    existing = client.find(wanted.tag)
    plan = plan_release(wanted, existing, {path: path.stat().st_size for path in wanted.files})
    action: Action
    if existing is None:
        release, action = client.create(wanted), "created"
    elif plan.changes:
        release, action = client.update(existing, plan.changes), "updated"
    else:
        release, action = existing, "unchanged"
    for path in plan.uploads:
        client.attach(release, path)
    return ReleaseDone(
        wanted.tag,
        str(release.get("html_url") or ""),
        action,
        wanted.prerelease,
        tuple(path.name for path in plan.uploads),
        plan.kept,
    )


def failure_of(
    error: GitHubHttpError | GitHubUnreachable,
    client: GitHubReleases,
    tag: str,
    server_url: str,
    done: Sequence[ReleaseDone] = (),
) -> GitHubReleaseError:
    """What a failed request means, in one paragraph: what GitHub said, and how to finish
    by hand (the release page of the tag) or what to fix before a re-run."""
    repository = client.repository
    made = f" (done before it: {'; '.join(d.describe() for d in done)})" if done else ""
    by_hand = (
        f"; or make the release by hand at {server_url.rstrip('/')}/{repository}/releases/new"
        f"?tag={quote(tag, safe='')} with the changelog section as its notes"
    )
    where = f"{repository}, release {tag}"
    if isinstance(error, GitHubUnreachable):
        return GitHubReleaseError(
            f"the GitHub release of {tag} was not made: {error}{made}",
            where,
            f"check GITHUB_API_URL ({client.api_url}) and the network, then re-run{by_hand}",
        )
    what, fix = {
        401: (
            "GitHub rejected the token (expired, revoked or mistyped)",
            "set GITHUB_TOKEN (or GH_TOKEN) to a valid token with 'contents: write'",
        ),
        403: (
            f"the token may not write the releases of {repository}, or the rate limit is spent",
            "give the token 'contents: write' (in a workflow: `permissions: contents: write`)",
        ),
        404: (
            f"GitHub knows no repository {repository}, or the token cannot see it",
            "check the remote's URL and that the token has access to the repository",
        ),
        422: (
            "GitHub refused what was sent",
            "a draft release of the tag, or a file of that name, may be in the way: "
            "remove it on the repository's Releases page",
        ),
    }.get(error.code, ("GitHub failed", "wait for GitHub to answer again"))
    return GitHubReleaseError(
        f"the GitHub release of {tag} was not made: {what} ({error}){made}",
        where,
        f"{fix}, then re-run{by_hand}",
    )


def publish_releases(
    client: GitHubReleases,
    planned: Sequence[PlannedRelease],
    root: Path,
    files: Mapping[str, Sequence[Path]],
    server_url: str,
) -> list[ReleaseDone]:
    """The GitHub release of every tag of ``planned``, in order, with the files of its
    packages (``files``: dist name -> its files; empty: none attached). Raises
    GitHubReleaseError, saying which releases were done before the one that failed."""
    done: list[ReleaseDone] = []
    for release in planned:
        wanted = WantedRelease(
            release.tag,
            release_notes(root, release),
            release.prerelease,
            tuple(path for name in release.packages for path in files.get(name, ())),
        )
        try:
            done.append(publish_release(client, wanted))
        except (GitHubHttpError, GitHubUnreachable) as error:
            raise failure_of(error, client, release.tag, server_url, done) from None
        except OSError as error:  # a file to attach: the request's own errors are GitHub's
            raise GitHubReleaseError(
                f"the GitHub release of {release.tag} lacks a file that could not be read: {error}",
                str(error.filename or release.tag),
                "something removed the session's files; re-run the publish",
            ) from None
    return done
