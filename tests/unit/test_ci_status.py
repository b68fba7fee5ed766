"""CI state of a commit: remotes that are GitHub repos, the API's token, the verdict, and the
REST API answers.

The API is a real HTTP server on the loopback interface that serves canned GitHub JSON.
"""

from __future__ import annotations

import contextlib
import gc
import json
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest

from pytest_release.checks.ci_status import (
    CiRejected,
    CiState,
    CiUnreachable,
    combine,
    fetch_ci_state,
)
from pytest_release.checks.github_api import GitHubRepository, github_repository, github_token

OWNER, NAME = "aetherflow-dev", "aetherflow"
REPOSITORY = GitHubRepository(OWNER, NAME)
SHA = "3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345"
TOKEN = "ghp_s3cr3tT0kenThatMustNeverBePrinted"
COMMIT_PATH = f"/repos/{OWNER}/{NAME}/commits/{SHA}"
STATUS_PATH = f"{COMMIT_PATH}/status"
RUNS_PATH = f"{COMMIT_PATH}/check-runs"
PROXY_VARIABLES = (
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
)


# --- github_repository ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote_url", "server_url", "expected"),
    [
        pytest.param(
            "https://github.com/octo/widget.git", None, ("octo", "widget"), id="https-dot-git"
        ),
        pytest.param("https://github.com/octo/widget", None, ("octo", "widget"), id="https"),
        pytest.param("https://github.com/octo/widget/", None, ("octo", "widget"), id="https-slash"),
        pytest.param(
            "https://github.com/octo/widget.git/",
            None,
            ("octo", "widget"),
            id="https-dot-git-slash",
        ),
        pytest.param("http://github.com/octo/widget", None, ("octo", "widget"), id="http"),
        pytest.param(
            "https://x-access-token:abc@github.com/octo/widget.git",
            None,
            ("octo", "widget"),
            id="https-with-credentials",
        ),
        pytest.param("https://GitHub.com/Octo/Widget", None, ("Octo", "Widget"), id="host-case"),
        pytest.param(
            "ssh://git@github.com/octo/widget.git", None, ("octo", "widget"), id="ssh-url"
        ),
        pytest.param(
            "ssh://git@github.com:22/octo/widget", None, ("octo", "widget"), id="ssh-url-port"
        ),
        pytest.param(
            "git://github.com/octo/widget.git", None, ("octo", "widget"), id="git-protocol"
        ),
        pytest.param("git@github.com:octo/widget.git", None, ("octo", "widget"), id="scp-like"),
        pytest.param(
            "git@github.com:octo/widget", None, ("octo", "widget"), id="scp-like-no-dot-git"
        ),
        pytest.param(
            "git@github.com:/octo/widget.git", None, ("octo", "widget"), id="scp-like-slash"
        ),
        pytest.param(
            "git@github.com:octo/widget.js.git", None, ("octo", "widget.js"), id="dotted-name"
        ),
        pytest.param(
            "https://github.example.com/team/tool.git",
            "https://github.example.com",
            ("team", "tool"),
            id="enterprise-https",
        ),
        pytest.param(
            "git@github.example.com:team/tool.git",
            "https://github.example.com/",
            ("team", "tool"),
            id="enterprise-scp-like",
        ),
        pytest.param("https://gitlab.com/octo/widget.git", None, None, id="gitlab"),
        pytest.param("git@gitlab.com:octo/widget.git", None, None, id="gitlab-scp-like"),
        pytest.param(
            "https://github.com.evil.example/octo/widget", None, None, id="lookalike-host"
        ),
        pytest.param(
            "https://github.com/octo/widget.git",
            "https://github.example.com",
            None,
            id="github-com-when-server-is-enterprise",
        ),
        pytest.param("https://github.com/octo", None, None, id="owner-only"),
        pytest.param("https://github.com/octo/widget/tree/main", None, None, id="deeper-path"),
        pytest.param("/srv/git/widget.git", None, None, id="local-path"),
        pytest.param("file:///srv/git/octo/widget.git", None, None, id="file-url"),
        pytest.param("../widget-remote.git", None, None, id="relative-path"),
    ],
)
def test_github_repository(
    remote_url: str, server_url: str | None, expected: tuple[str, str] | None
) -> None:
    found = (
        github_repository(remote_url)
        if server_url is None
        else github_repository(remote_url, server_url)
    )

    assert found == (None if expected is None else GitHubRepository(*expected))


def test_repository_reads_as_owner_slash_name() -> None:
    assert str(GitHubRepository("octo", "widget")) == "octo/widget"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({"GITHUB_TOKEN": "ghs_a", "GH_TOKEN": "gho_b"}, "ghs_a", id="actions-first"),
        pytest.param({"GH_TOKEN": "gho_b"}, "gho_b", id="the-gh-cli-s"),
        pytest.param({"GITHUB_TOKEN": "", "GH_TOKEN": "gho_b"}, "gho_b", id="empty-is-unset"),
        pytest.param({}, None, id="none"),
    ],
)
def test_the_token_is_githubs_else_the_gh_clis(
    environ: dict[str, str], expected: str | None
) -> None:
    assert github_token(environ) == expected


# --- combine -------------------------------------------------------------------------------


def status(context: str, state: str) -> dict[str, Any]:
    return {"context": context, "state": state, "target_url": f"https://ci.example/{context}"}


def run(
    name: str,
    status: str = "completed",
    conclusion: str | None = "success",
    run_id: int = 1000,
) -> dict[str, Any]:
    url = f"https://github.com/{OWNER}/{NAME}/actions/runs/{run_id}/job/{run_id * 10}"
    return {
        "name": name,
        "status": status,
        "conclusion": conclusion,
        "details_url": url,
        "html_url": url,
    }


@pytest.mark.parametrize(
    ("statuses", "check_runs", "expected"),
    [
        pytest.param([], [], CiState("none"), id="nothing-reported"),
        pytest.param(
            [status("ci/lint", "success")],
            [run("tests")],
            CiState("success", passing=("ci/lint", "tests")),
            id="all-green",
        ),
        pytest.param(
            [status("ci/lint", "failure"), status("ci/docs", "error")],
            [],
            CiState("failure", failing=("ci/lint (failure)", "ci/docs (error)")),
            id="status-failure-and-error",
        ),
        pytest.param(
            [status("ci/deploy", "pending")],
            [],
            CiState("pending", pending=("ci/deploy",)),
            id="status-pending",
        ),
        pytest.param(
            [],
            [run("tests", "queued", None), run("build", "in_progress", None)],
            CiState("pending", pending=("tests (queued)", "build (in_progress)")),
            id="runs-not-completed",
        ),
        pytest.param(
            [],
            [run("a", conclusion="neutral"), run("b", conclusion="skipped"), run("c")],
            CiState("success", passing=("a", "b", "c")),
            id="neutral-and-skipped-pass",
        ),
        pytest.param(
            [],
            [
                run("a", conclusion="failure"),
                run("b", conclusion="timed_out"),
                run("c", conclusion="cancelled"),
                run("d", conclusion="action_required"),
                run("e", conclusion="startup_failure"),
            ],
            CiState(
                "failure",
                failing=(
                    "a (failure)",
                    "b (timed_out)",
                    "c (cancelled)",
                    "d (action_required)",
                    "e (startup_failure)",
                ),
            ),
            id="every-failed-conclusion",
        ),
        pytest.param(
            [status("ci/lint", "pending")],
            [run("tests", conclusion="failure"), run("docs")],
            CiState(
                "failure", failing=("tests (failure)",), pending=("ci/lint",), passing=("docs",)
            ),
            id="failure-beats-pending",
        ),
        pytest.param(
            [status("ci/lint", "success")],
            [run("tests", "in_progress", None)],
            CiState("pending", pending=("tests (in_progress)",), passing=("ci/lint",)),
            id="pending-beats-success",
        ),
        pytest.param(
            [{"state": "success"}],
            [{"status": "completed", "conclusion": "success"}],
            CiState("success", passing=("status", "check run")),
            id="unnamed",
        ),
    ],
)
def test_combine(
    statuses: list[dict[str, Any]], check_runs: list[dict[str, Any]], expected: CiState
) -> None:
    assert combine(statuses, check_runs) == expected


@pytest.mark.parametrize(
    ("own_run_id", "link", "expected"),
    [
        pytest.param(
            "42",
            "details_url",
            CiState("success", passing=("tests",)),
            id="own-run-left-out-by-details-url",
        ),
        pytest.param(
            "42",
            "html_url",
            CiState("success", passing=("tests",)),
            id="own-run-left-out-by-html-url",
        ),
        pytest.param(
            None,
            "details_url",
            CiState("pending", pending=("release (in_progress)",), passing=("tests",)),
            id="no-own-run",
        ),
        pytest.param(
            "4",
            "details_url",
            CiState("pending", pending=("release (in_progress)",), passing=("tests",)),
            id="prefix-of-the-run-id-is-not-the-run",
        ),
        pytest.param(
            "7",
            "details_url",
            CiState("pending", pending=("release (in_progress)",), passing=("tests",)),
            id="another-run",
        ),
    ],
)
def test_combine_leaves_out_the_running_workflow(
    own_run_id: str | None, link: str, expected: CiState
) -> None:
    own = {
        "name": "release",
        "status": "in_progress",
        "conclusion": None,
        "details_url": None,
        "html_url": None,
        link: f"https://github.com/{OWNER}/{NAME}/actions/runs/42/job/420",
    }

    assert combine([], [run("tests", run_id=11), own], own_run_id) == expected


# --- fetch_ci_state against a real HTTP server ---------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    page: str
    headers: dict[str, str]  # by lower-case name


@dataclass
class FakeGitHub:
    """What the server answers, by (path, page), and every request it received."""

    base_url: str
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def json(
        self, path: str, payload: object, page: str = "1", headers: Mapping[str, str] | None = None
    ) -> None:
        body = json.dumps(payload).encode()
        self.answers[path, page] = Answer(
            200, body, {"Content-Type": "application/json", **(headers or {})}
        )

    def error(self, path: str, code: int, page: str = "1") -> None:
        message = {"message": "Bad credentials" if code == 401 else "error", "status": str(code)}
        self.answers[path, page] = Answer(code, json.dumps(message).encode())

    def statuses(self, *statuses: dict[str, Any]) -> None:
        state = "pending" if not statuses else statuses[0]["state"]
        self.json(STATUS_PATH, {"state": state, "sha": SHA, "statuses": list(statuses)})

    def check_runs(self, first: list[dict[str, Any]], second: list[dict[str, Any]]) -> None:
        """Two pages, the first with a Link to the second (and the second back to the first)."""
        page = f"{self.base_url}{RUNS_PATH}?per_page=100&page="
        total = len(first) + len(second)
        self.json(
            RUNS_PATH,
            {"total_count": total, "check_runs": first},
            headers={"Link": f'<{page}2>; rel="next", <{page}2>; rel="last"'},
        )
        self.json(
            RUNS_PATH,
            {"total_count": total, "check_runs": second},
            page="2",
            headers={"Link": f'<{page}1>; rel="prev", <{page}1>; rel="first"'},
        )

    def paths(self) -> list[tuple[str, str]]:
        return [(seen.path, seen.page) for seen in self.seen]


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    github: FakeGitHub


class FakeHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        github = cast(FakeServer, self.server).github
        split = urlsplit(self.path)
        page = parse_qs(split.query).get("page", ["1"])[0]
        github.seen.append(
            Seen(split.path, page, {name.lower(): value for name, value in self.headers.items()})
        )
        answer = github.answers.get((split.path, page), Answer(404, b'{"message": "Not Found"}'))
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test asserts on ``FakeGitHub.seen`` instead."""


def serve(host: str = "127.0.0.1") -> tuple[FakeServer, threading.Thread]:
    server = FakeServer((host, 0), FakeHandler)
    server.github = FakeGitHub(f"http://{host}:{server.server_address[1]}")
    # The poll interval is how soon serve_forever notices shutdown(): keep teardown quick.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    return server, thread


def stop(server: FakeServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours proxy variables; the loopback server must be asked directly."""
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    server, thread = serve()
    yield server.github
    stop(server, thread)
    # A response left open surfaces here, as an error of the test that leaked it, not later.
    gc.collect()


@pytest.fixture
def closed_port() -> int:
    """A loopback port that was bound and closed: nothing listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def fetch(github: FakeGitHub, own_run_id: str | None = None) -> CiState:
    return fetch_ci_state(github.base_url, REPOSITORY, SHA, TOKEN, own_run_id)


@pytest.mark.parametrize(
    ("statuses", "first", "second", "own_run_id", "expected"),
    [
        pytest.param(
            [status("ci/lint", "success")],
            [run("tests"), run("build")],
            [run("docs")],
            None,
            CiState("success", passing=("ci/lint", "tests", "build", "docs")),
            id="green-across-two-pages",
        ),
        pytest.param(
            [status("ci/lint", "success")],
            [run("tests")],
            [run("docs", conclusion="failure")],
            None,
            CiState("failure", failing=("docs (failure)",), passing=("ci/lint", "tests")),
            id="failure-on-the-second-page",
        ),
        pytest.param(
            [status("ci/deploy", "pending")],
            [run("tests")],
            [],
            None,
            CiState("pending", pending=("ci/deploy",), passing=("tests",)),
            id="pending-status",
        ),
        pytest.param(
            [],
            [run("tests")],
            [run("release", "in_progress", None, run_id=77)],
            "77",
            CiState("success", passing=("tests",)),
            id="own-run-on-the-second-page-left-out",
        ),
        pytest.param([], [], [], None, CiState("none"), id="nothing-reported"),
    ],
)
def test_fetch_ci_state(
    github: FakeGitHub,
    statuses: list[dict[str, Any]],
    first: list[dict[str, Any]],
    second: list[dict[str, Any]],
    own_run_id: str | None,
    expected: CiState,
) -> None:
    github.statuses(*statuses)
    github.check_runs(first, second)

    assert fetch(github, own_run_id) == expected
    assert github.paths() == [(STATUS_PATH, "1"), (RUNS_PATH, "1"), (RUNS_PATH, "2")]


def test_single_page_without_link_is_not_followed(github: FakeGitHub) -> None:
    github.statuses(status("ci/lint", "success"))
    github.json(RUNS_PATH, {"total_count": 1, "check_runs": [run("tests")]})

    assert fetch(github) == CiState("success", passing=("ci/lint", "tests"))
    assert github.paths() == [(STATUS_PATH, "1"), (RUNS_PATH, "1")]


def test_api_url_with_a_trailing_slash(github: FakeGitHub) -> None:
    github.statuses(status("ci/lint", "success"))
    github.check_runs([], [])

    state = fetch_ci_state(github.base_url + "/", REPOSITORY, SHA, TOKEN)

    assert state == CiState("success", passing=("ci/lint",))
    assert github.paths()[0] == (STATUS_PATH, "1")


def test_every_request_carries_the_token_as_bearer(github: FakeGitHub) -> None:
    github.statuses(status("ci/lint", "success"))
    github.check_runs([run("tests")], [run("docs")])

    fetch(github)

    assert len(github.seen) == 3
    for seen in github.seen:
        assert seen.headers["authorization"] == f"Bearer {TOKEN}"
        assert seen.headers["accept"] == "application/vnd.github+json"
        assert seen.headers["x-github-api-version"] == "2022-11-28"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        pytest.param(401, "401 Unauthorized: GITHUB_TOKEN was rejected", id="401"),
        pytest.param(403, "403 Forbidden: GITHUB_TOKEN may not read", id="403"),
        pytest.param(404, "404 Not Found: the repository or commit is unknown to GitHub", id="404"),
    ],
)
@pytest.mark.parametrize("failing", ["status", "check-runs-page-1", "check-runs-page-2"])
def test_rejected(github: FakeGitHub, code: int, words: str, failing: str) -> None:
    github.statuses(status("ci/lint", "success"))
    github.check_runs([run("tests")], [run("docs")])
    path, page = {
        "status": (STATUS_PATH, "1"),
        "check-runs-page-1": (RUNS_PATH, "1"),
        "check-runs-page-2": (RUNS_PATH, "2"),
    }[failing]
    github.error(path, code, page)

    with pytest.raises(CiRejected) as raised:
        fetch(github)

    assert str(raised.value).startswith(words)
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(raised.value)
    assert github.seen[-1].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        pytest.param(500, "GitHub answered HTTP 500 Internal Server Error", id="500"),
        pytest.param(502, "GitHub answered HTTP 502 Bad Gateway", id="502"),
        pytest.param(503, "GitHub answered HTTP 503 Service Unavailable", id="503"),
    ],
)
def test_server_error_is_unreachable(github: FakeGitHub, code: int, message: str) -> None:
    github.error(STATUS_PATH, code)

    with pytest.raises(CiUnreachable) as raised:
        fetch(github)

    assert str(raised.value) == message
    assert TOKEN not in str(raised.value)


def test_answer_that_is_not_json_is_unreachable(github: FakeGitHub) -> None:
    github.answers[STATUS_PATH, "1"] = Answer(200, b"<html>maintenance</html>")

    with pytest.raises(CiUnreachable) as raised:
        fetch(github)

    message = str(raised.value)
    assert "something that is not JSON" in message
    assert STATUS_PATH in message
    assert TOKEN not in message


def test_unreachable_api(closed_port: int) -> None:
    with pytest.raises(CiUnreachable) as raised:
        fetch_ci_state(f"http://127.0.0.1:{closed_port}", REPOSITORY, SHA, TOKEN)

    message = str(raised.value)
    assert message.startswith("GitHub's API could not be reached: ")
    assert TOKEN not in message


def test_token_does_not_follow_a_redirect_to_another_host(github: FakeGitHub) -> None:
    """A token for the API is for the API's host only (as curl, requests and gh do it)."""
    other, thread = serve()
    try:
        elsewhere = other.github.base_url.replace("127.0.0.1", "localhost")
        other.github.statuses(status("ci/lint", "success"))
        other.github.check_runs([], [])
        github.answers[STATUS_PATH, "1"] = Answer(
            301, b"", {"Location": f"{elsewhere}{STATUS_PATH}?per_page=100"}
        )
        github.check_runs([run("tests")], [])

        with contextlib.suppress(CiRejected, CiUnreachable):
            fetch(github)

        # Following the redirect without the token, or not following it, are both fine.
        assert [seen.headers.get("authorization") for seen in other.github.seen] in ([], [None])
    finally:
        stop(other, thread)


def open_connections_to(base_url: str) -> list[str]:
    """Sockets of this process still open and connected to the server at ``base_url``."""
    split = urlsplit(base_url)
    address = (split.hostname, split.port)
    found: list[str] = []
    for candidate in gc.get_objects():
        if isinstance(candidate, socket.socket) and candidate.fileno() != -1:
            with contextlib.suppress(OSError):
                if candidate.getpeername() == address:
                    found.append(f"fd {candidate.fileno()} connected to {base_url}")
    return found


@pytest.mark.parametrize(
    ("code", "raises"),
    [
        pytest.param(401, CiRejected, id="401"),
        pytest.param(403, CiRejected, id="403"),
        pytest.param(404, CiRejected, id="404"),
        pytest.param(500, CiUnreachable, id="500"),
    ],
)
def test_error_answers_leave_no_connection_open(
    github: FakeGitHub, code: int, raises: type[Exception]
) -> None:
    """The error's response is closed when it becomes our exception, not when GC finds it.

    The exception is kept, as a caller (or pytest's report) keeps it.
    """
    github.error(STATUS_PATH, code)

    with pytest.raises(raises) as raised:
        fetch(github)

    assert open_connections_to(github.base_url) == []
    assert str(code) in str(raised.value)


def test_answers_leave_no_connection_open(github: FakeGitHub) -> None:
    github.statuses(status("ci/lint", "success"))
    github.check_runs([run("tests")], [run("docs")])

    state = fetch(github)

    assert state.verdict == "success"
    assert open_connections_to(github.base_url) == []
