"""The CI state of a commit on GitHub: commit statuses and check runs, via the REST API."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pytest_release.checks.github_api import (
    GitHubHttpError,
    GitHubRepository,
    GitHubUnreachable,
    request,
    same_origin,
)

MAX_PAGES = 10  # of 100 check runs each
_FAILED_CONCLUSIONS = {"failure", "timed_out", "cancelled", "action_required", "startup_failure"}


class CiUnreachable(Exception):
    """The API could not be asked (network, timeout): the state is unknown."""


class CiRejected(Exception):
    """The API answered with an error that the user must fix (401, 403, 404)."""


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


def _get(url: str, token: str) -> tuple[Any, str]:
    try:
        return request("GET", url, token)
    except GitHubHttpError as error:
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
    except GitHubUnreachable as error:
        raise CiUnreachable(str(error)) from None


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
