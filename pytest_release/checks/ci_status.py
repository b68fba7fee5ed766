"""The CI state of a commit on GitHub: commit statuses and check runs, via the REST API."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"
MAX_PAGES = 10  # of 100 check runs each
REQUEST_SECONDS = 20
_FAILED_CONCLUSIONS = {"failure", "timed_out", "cancelled", "action_required", "startup_failure"}


class CiUnreachable(Exception):
    """The API could not be asked (network, timeout): the state is unknown."""


class CiRejected(Exception):
    """The API answered with an error that the user must fix (401, 403, 404)."""


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
class CiState:
    verdict: Literal["success", "failure", "pending", "none"]
    failing: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    passing: tuple[str, ...] = ()


def combine(
    statuses: Iterable[Mapping[str, Any]],
    check_runs: Iterable[Mapping[str, Any]],
    own_run_id: str | None = None,
) -> CiState:
    """One verdict from commit statuses and check runs.

    The check runs of the workflow run that is executing these gates (``own_run_id``,
    from GITHUB_RUN_ID) are left out: they are in progress by definition.
    """
    failing: list[str] = []
    pending: list[str] = []
    passing: list[str] = []
    for status in statuses:
        context = str(status.get("context", "status"))
        state = status.get("state")
        if state in {"failure", "error"}:
            failing.append(f"{context} ({state})")
        elif state == "pending":
            pending.append(context)
        else:
            passing.append(context)
    for run in check_runs:
        name = str(run.get("name", "check run"))
        links = f"{run.get('details_url') or ''} {run.get('html_url') or ''}"
        if own_run_id and f"/runs/{own_run_id}/" in links:
            continue
        if run.get("status") != "completed":
            pending.append(f"{name} ({run.get('status')})")
        elif run.get("conclusion") in _FAILED_CONCLUSIONS:
            failing.append(f"{name} ({run.get('conclusion')})")
        else:
            passing.append(name)
    verdict: Literal["success", "failure", "pending", "none"]
    if failing:
        verdict = "failure"
    elif pending:
        verdict = "pending"
    elif passing:
        verdict = "success"
    else:
        verdict = "none"
    return CiState(verdict, tuple(failing), tuple(pending), tuple(passing))


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


def _get(url: str, token: str) -> tuple[Any, str]:
    if not carries_a_token(url):
        raise CiUnreachable(f"the CI state is read over https only, not from {url}")
    request = urllib.request.Request(
        url,
        headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "pytest-release",
        },
    )
    try:
        with _OPENER.open(request, timeout=REQUEST_SECONDS) as response:
            return json.load(response), response.headers.get("Link", "")
    except urllib.error.HTTPError as error:
        error.close()
        reason = {
            401: "401 Unauthorized: GITHUB_TOKEN was rejected (expired, revoked or mistyped)",
            403: "403 Forbidden: GITHUB_TOKEN may not read this repository's statuses and "
            "checks (it needs 'statuses: read' and 'checks: read'), or the rate limit is spent",
            404: "404 Not Found: the repository or commit is unknown to GitHub, or "
            "GITHUB_TOKEN cannot see a private repository",
        }.get(error.code)
        if reason is None:
            raise CiUnreachable(f"GitHub answered HTTP {error.code} {error.reason}") from None
        raise CiRejected(reason) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise CiUnreachable(f"GitHub's API could not be reached: {error}") from None
    except json.JSONDecodeError:
        raise CiUnreachable(
            f"GitHub's API answered {url} with something that is not JSON"
        ) from None


def _next_page(link_header: str) -> str | None:
    match = re.search(r'<([^>]+)>;\s*rel="next"', link_header)
    return match.group(1) if match else None


def fetch_ci_state(
    api_url: str,
    repository: GitHubRepository,
    commit: str,
    token: str,
    own_run_id: str | None = None,
) -> CiState:
    base = f"{api_url.rstrip('/')}/repos/{repository.owner}/{repository.name}/commits/{commit}"
    combined, _ = _get(f"{base}/status?per_page=100", token)
    statuses = combined.get("statuses", []) if isinstance(combined, dict) else []
    check_runs: list[Mapping[str, Any]] = []
    url: str | None = f"{base}/check-runs?per_page=100"
    for _ in range(MAX_PAGES):
        if url is None:
            return combine(statuses, check_runs, own_run_id)
        if not same_origin(url, api_url):
            raise CiUnreachable(f"GitHub's next page of check runs is on another host: {url}")
        page, link = _get(url, token)
        check_runs.extend(page.get("check_runs", []) if isinstance(page, dict) else [])
        url = _next_page(link)
    raise CiUnreachable(
        f"HEAD has more than {MAX_PAGES * 100} check runs; their state was not read to the end"
    )
