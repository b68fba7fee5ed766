"""GitHub's REST API as the gates ask it: which GitHub repository a git remote is, where the
API is and which token to send (GitHub Actions' variables), and one request, whose token
goes over https (or to this machine: the tests' stand-in for GitHub) and never follows a
redirect to another host.

Used by the CI check of the preflight (``ci_status``) and the GitHub release step.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pytest_release.target import git

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"
REQUEST_SECONDS = 20
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")  # Actions' variable, then the gh CLI's
_ERROR_BODY_BYTES = 4096  # of an error answer's JSON read for GitHub's own words


class GitHubUnreachable(Exception):
    """The API could not be asked, or its answer read (network, timeout, not JSON)."""


class GitHubHttpError(Exception):
    """The API answered with an HTTP error: its code, reason, and GitHub's own words."""

    def __init__(self, code: int, reason: str, said: str) -> None:
        super().__init__(f"HTTP {code} {reason}" + (f": {said}" if said else ""))
        self.code = code
        self.reason = reason
        self.said = said


@dataclass(frozen=True)
class GitHubRepository:
    owner: str
    name: str

    def __str__(self) -> str:
        return f"{self.owner}/{self.name}"


def github_repository(
    remote_url: str, server_url: str = DEFAULT_SERVER_URL
) -> GitHubRepository | None:
    """owner/name when ``remote_url`` points at the GitHub server, else None.

    Understands https://host/owner/name(.git), ssh://git@host/owner/name and git@host:owner/name.
    """
    host = urlsplit(server_url).hostname or "github.com"
    scp_like = re.fullmatch(r"[\w.-]+@([\w.-]+):/?([^/]+)/([^/]+?)(?:\.git)?/?", remote_url)
    if scp_like:
        remote_host, owner, name = scp_like.groups()
    else:
        parts = urlsplit(remote_url)
        segments = [segment for segment in parts.path.split("/") if segment]
        if parts.scheme not in {"https", "http", "ssh", "git"} or len(segments) != 2:
            return None
        remote_host, (owner, name) = parts.hostname or "", segments
        name = name.removesuffix(".git")
    if remote_host.lower() != host.lower():
        return None
    return GitHubRepository(owner, name)


@dataclass(frozen=True)
class ReleaseRemote:
    """The remote the release branch tracks (``origin`` without one), its URL (None when
    there is no such remote), and the GitHub repository it is (None off GitHub)."""

    name: str
    url: str | None
    repository: GitHubRepository | None
    server_url: str


def release_remote(root: Path, branch: str, environ: Mapping[str, str]) -> ReleaseRemote:
    """Which GitHub repository the release branch's remote is: that of the server
    ``GITHUB_SERVER_URL`` names (GitHub Enterprise), else github.com."""
    upstream = git.upstream_of(root, branch)
    name = upstream[0] if upstream and upstream[0] != "." else "origin"
    url = git.config_value(root, f"remote.{name}.url")
    server = environ.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL
    repository = github_repository(url, server) if url else None
    return ReleaseRemote(name, url, repository, server)


def api_url(environ: Mapping[str, str]) -> str:
    return environ.get("GITHUB_API_URL") or DEFAULT_API_URL


def github_token(environ: Mapping[str, str]) -> str | None:
    """The token for GitHub's API: ``GITHUB_TOKEN``, else ``GH_TOKEN``; None without one."""
    return next((environ[name] for name in TOKEN_VARIABLES if environ.get(name)), None)


def same_origin(url: str, base: str) -> bool:
    """Whether ``url`` has ``base``'s scheme, host and port: the token may go there."""
    first, second = urlsplit(url), urlsplit(base)
    return (first.scheme, first.netloc) == (second.scheme, second.netloc)


def carries_a_token(url: str) -> bool:
    """Whether a token may be sent to ``url``: over https, or to this machine (the tests'
    stand-in for GitHub)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}
    )


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, host and port: urllib would send the
    token along (to another host, or in clear over http)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not same_origin(newurl, req.full_url):
            return None  # urllib then raises HTTPError with the redirect's code
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameHostRedirects)


def request(
    method: str,
    url: str,
    token: str,
    *,
    body: object = None,
    upload: tuple[bytes, str] | None = None,
) -> tuple[Any, str]:
    """GitHub's JSON answer to ``method url`` with the token, and its Link header. ``body``
    is sent as JSON; ``upload`` (bytes, content type) as they are. Raises GitHubHttpError
    for an HTTP error, GitHubUnreachable when the API cannot be asked or read."""
    if not carries_a_token(url):
        raise GitHubUnreachable(f"a GitHub token is sent over https only, not to {url}")
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "pytest-release",
    }
    data: bytes | None = None
    if upload is not None:
        data, headers["Content-Type"] = upload
    elif body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    outgoing = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(outgoing, timeout=REQUEST_SECONDS) as response:
            return json.load(response), response.headers.get("Link", "")
    except urllib.error.HTTPError as error:
        try:
            said = _github_words(error.read(_ERROR_BODY_BYTES))
        except (OSError, ValueError):  # no body to read (a refused redirect's, say)
            said = ""
        finally:
            error.close()
        raise GitHubHttpError(error.code, str(error.reason), said) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise GitHubUnreachable(f"GitHub's API could not be reached: {error}") from None
    except json.JSONDecodeError:
        raise GitHubUnreachable(
            f"GitHub's API answered {url} with something that is not JSON"
        ) from None


def _github_words(body: bytes) -> str:
    """GitHub's ``message`` and the codes of its ``errors`` ("Validation Failed
    (already_exists: tag_name)"), from an error answer; empty when it has none."""
    try:
        answer = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    message = str(answer.get("message") or "")
    details = [
        ": ".join(str(error[key]) for key in ("code", "field") if error.get(key))
        or str(error.get("message", ""))
        for error in answer.get("errors") or []
        if isinstance(error, dict)
    ]
    shown = [detail for detail in details if detail]
    return f"{message} ({'; '.join(shown)})" if shown else message
