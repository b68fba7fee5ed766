"""A fake GitHub REST API on the loopback interface, for the CI check of the preflight gate
and the GitHub release step.

It answers the two requests the CI check makes for a commit,
``GET /repos/OWNER/NAME/commits/SHA/status`` and ``GET /repos/OWNER/NAME/commits/SHA/check-runs``,
with canned JSON (or an HTTP error), and keeps releases as GitHub does: found by tag
(``GET .../releases/tags/TAG``, never a draft), made (``POST .../releases``, 422 when the
tag has one), changed (``PATCH .../releases/ID``), and files attached at the upload URL
each release names (here on the same server; 422 for a name the release holds). It
records every request it received.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.plugin.repos import ReleaseRepo

REPOSITORY = "acme/aetherflow"
REMOTE_URL = f"https://github.com/{REPOSITORY}.git"
RELEASES = f"/repos/{REPOSITORY}/releases"
UPLOADS = f"/uploads{RELEASES}/"


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    path: str
    authorization: str | None
    method: str = "GET"


@dataclass
class FakeGitHub:
    """What the server answers, and what it has been asked."""

    url: str = ""
    # "status" / "check-runs" -> JSON body answered with 200
    bodies: dict[str, Any] = field(default_factory=dict)
    # when set, every request is answered with this HTTP status and a GitHub-style error body
    error_status: int | None = None
    # when set, every request about releases (not the CI check's) is answered so
    release_error_status: int | None = None
    releases: dict[str, dict[str, Any]] = field(default_factory=dict)  # tag -> the release
    attached: dict[str, bytes] = field(default_factory=dict)  # "TAG/NAME" -> the file's bytes
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
        return {
            r.path.split("/commits/")[1].split("/")[0]
            for r in self.received
            if "/commits/" in r.path
        }

    @property
    def authorizations(self) -> set[str | None]:
        return {r.authorization for r in self.received}

    @property
    def release_requests(self) -> list[str]:
        """``METHOD PATH`` of each request about releases, in order."""
        return [f"{r.method} {r.path}" for r in self.received if "/releases" in r.path]

    def add_release(self, tag: str, **fields: Any) -> dict[str, Any]:
        """A release of ``tag`` as GitHub would hold it, with ``fields`` set."""
        with self._lock:
            number = len(self.releases) + 1
            release = {
                "id": number,
                "tag_name": tag,
                "name": tag,
                "body": "",
                "prerelease": False,
                "draft": False,
                "assets": [],
                "html_url": f"https://github.com/{REPOSITORY}/releases/tag/{tag}",
                "upload_url": f"{self.url}{UPLOADS}{number}/assets{{?name,label}}",
            }
            release.update(fields)
            self.releases[tag] = release
            return release

    def release_by_id(self, number: int) -> dict[str, Any] | None:
        return next((r for r in self.releases.values() if r["id"] == number), None)


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    prefix = f"/repos/{REPOSITORY}/commits/"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received = self._received()
            if received is None:
                return
            path, _ = received
            endpoint = path.rsplit("/", 1)[-1]
            if path.startswith(f"{RELEASES}/tags/"):
                release = fake.releases.get(unquote(path.removeprefix(f"{RELEASES}/tags/")))
                if release is None or release["draft"]:  # GitHub finds no draft by its tag
                    self._send(404, {"message": "Not Found"})
                else:
                    self._send(200, release)
            elif path.startswith(prefix) and endpoint in fake.bodies:
                self._send(200, fake.bodies[endpoint])
            else:
                self._send(404, {"message": "Not Found"})

        def do_POST(self) -> None:
            received = self._received()
            if received is None:
                return
            path, body = received
            if path == RELEASES:
                wanted = json.loads(body)
                if wanted["tag_name"] in fake.releases:
                    self._send(422, _invalid("already_exists", "tag_name"))
                    return
                made = {key: wanted[key] for key in ("name", "body", "prerelease") if key in wanted}
                if wanted.get("generate_release_notes"):
                    made["body"] = f"Generated notes of {wanted['tag_name']}"
                self._send(201, fake.add_release(wanted["tag_name"], **made))
            elif path.startswith(UPLOADS) and path.endswith("/assets"):
                self._attach(int(path.removeprefix(UPLOADS).split("/")[0]), body)
            else:
                self._send(404, {"message": "Not Found"})

        def do_PATCH(self) -> None:
            received = self._received()
            if received is None:
                return
            path, body = received
            release = None
            if path.startswith(f"{RELEASES}/"):
                release = fake.release_by_id(int(path.removeprefix(f"{RELEASES}/")))
            if release is None:
                self._send(404, {"message": "Not Found"})
                return
            release.update(json.loads(body))
            self._send(200, release)

        def _attach(self, number: int, content: bytes) -> None:
            release = fake.release_by_id(number)
            name = parse_qs(urlsplit(self.path).query).get("name", [""])[0]
            if release is None:
                self._send(404, {"message": "Not Found"})
            elif any(asset["name"] == name for asset in release["assets"]):
                self._send(422, _invalid("already_exists", "name"))
            else:
                asset = {"id": 1000 + len(fake.attached), "name": name, "size": len(content)}
                release["assets"].append(asset)
                fake.attached[f"{release['tag_name']}/{name}"] = content
                self._send(201, asset)

        def _received(self) -> tuple[str, bytes] | None:
            """The request's path and body, recorded; None when it was answered with the
            error the test asked for."""
            path = urlsplit(self.path).path
            fake.record(Received(path, self.headers.get("Authorization"), self.command))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = fake.error_status
            if status is None and "/releases" in path:
                status = fake.release_error_status
            if status is None:
                return path, body
            self._send(status, {"message": "Bad credentials"})
            return None

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


def _invalid(code: str, field_name: str) -> dict[str, Any]:
    """GitHub's 422 body."""
    return {
        "message": "Validation Failed",
        "errors": [{"resource": "Release", "code": code, "field": field_name}],
    }


def on_github(repo: ReleaseRepo) -> ReleaseRepo:
    """``repo`` whose origin reads as github.com/acme/aetherflow, while git's fetches and
    pushes are rewritten (url.<remote>.insteadOf) to go to the bare remote."""
    repo.git("remote", "set-url", "origin", REMOTE_URL)
    repo.git("config", f"url.{repo.remote}.insteadOf", REMOTE_URL)
    return repo


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
