"""A fake GitHub REST API on the loopback interface, for the CI check of the preflight gate.

It answers the two requests the CI check makes for a commit,
``GET /repos/OWNER/NAME/commits/SHA/status`` and ``GET /repos/OWNER/NAME/commits/SHA/check-runs``,
with canned JSON (or an HTTP error), and records every request it received.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

REPOSITORY = "acme/aetherflow"
REMOTE_URL = f"https://github.com/{REPOSITORY}.git"


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    path: str
    authorization: str | None


@dataclass
class FakeGitHub:
    """What the server answers, and what it has been asked."""

    url: str = ""
    # "status" / "check-runs" -> JSON body answered with 200
    bodies: dict[str, Any] = field(default_factory=dict)
    # when set, every request is answered with this HTTP status and a GitHub-style error body
    error_status: int | None = None
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def answer(self, status: Any = None, check_runs: Any = None) -> None:
        """Answer the combined status and the check runs with these bodies."""
        self.bodies["status"] = status if status is not None else {"state": "", "statuses": []}
        self.bodies["check-runs"] = (
            check_runs if check_runs is not None else {"total_count": 0, "check_runs": []}
        )

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    @property
    def commits_asked(self) -> set[str]:
        """The commit SHAs the client asked about."""
        return {r.path.split("/commits/")[1].split("/")[0] for r in self.received}

    @property
    def authorizations(self) -> set[str | None]:
        return {r.authorization for r in self.received}


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    prefix = f"/repos/{REPOSITORY}/commits/"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            fake.record(Received(path, self.headers.get("Authorization")))
            endpoint = path.rsplit("/", 1)[-1]
            if fake.error_status is not None:
                self._send(fake.error_status, {"message": "Bad credentials"})
            elif path.startswith(prefix) and endpoint in fake.bodies:
                self._send(200, fake.bodies[endpoint])
            else:
                self._send(404, {"message": "Not Found"})

        def _send(self, status: int, body: Any) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test's stderr quiet."""

    return Handler


@contextmanager
def serve_fake_github() -> Iterator[FakeGitHub]:
    """Serve a FakeGitHub on 127.0.0.1 on a free port until the block ends.

    The socket listens as soon as the server is constructed, so a client may connect at
    once: a connection made before the thread reaches ``serve_forever`` waits in the
    listen backlog.
    """
    fake = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    host, port = server.server_address[:2]
    fake.url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, name="fake-github", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
