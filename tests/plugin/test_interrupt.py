"""A publish interrupted by SIGTERM (a cancelled CI job) during the TestPyPI upload: the
session ends cleanly, with no index server or twine process left, and the same command
then resumes, sending nothing twice.

The TestPyPI stand-in is a pypiserver behind a loopback proxy that holds one upload
unanswered: the session is signalled while twine is waiting on it, a moment the test
knows (the proxy says when the upload came), not one it guesses with a sleep."""

from __future__ import annotations

import http.client
import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plugin import test_publish
from tests.plugin.baseline import assert_outcomes
from tests.plugin.gate_runs import GateRunner
from tests.plugin.index_servers import PROC, lists_processes
from tests.plugin.repos import VERSION, ReleaseRepo, fresh_clone
from tests.plugin.test_publish import (
    ALL_GATES,
    NO_CACHE,
    PUBLISH_ORDER_FILES,
    TAG,
    WAIVE_CI,
    Server,
    junit_values,
    publish,
    remote_tag,
)
from tests.unit.test_process import ended

pytestmark = [
    pytest.mark.slow,
    lists_processes,
    pytest.mark.skipif(sys.platform != "linux", reason="pidfds as Linux has them"),
]

servers = test_publish.servers  # the TestPyPI and PyPI stand-ins, a fixture
# The headers of one connection, which a proxy does not pass on.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
_UPLOADED_FILE = re.compile(rb'filename="([^"]+)"')
SESSION_SECONDS = 300  # for every gate before the upload, at most (the runner's timeout)
ENDING_SECONDS = 60  # for a session to end once signalled, at most


class HoldingProxy(http.server.ThreadingHTTPServer):
    """A loopback HTTP proxy to an index that passes every request on, but holds the upload
    numbered ``hold_upload`` (counted from 1) unanswered until ``released``; ``uploads``
    names the files uploaded through it, in order (the held one too)."""

    daemon_threads = True  # a held request never keeps the test waiting at its end

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Forwarder)
        self.upstream = urllib.parse.urlsplit(upstream)
        self.url = f"http://127.0.0.1:{self.server_port}/"
        self.hold_upload: int | None = None
        self.uploads: list[str] = []
        self.held = threading.Event()
        self.released = threading.Event()
        self._lock = threading.Lock()

    def holds(self, body: bytes) -> bool:
        """Count the upload ``body``; whether it is the one to hold (then once released)."""
        found = _UPLOADED_FILE.search(body)
        with self._lock:
            self.uploads.append(found.group(1).decode() if found else "?")
            hold = len(self.uploads) == self.hold_upload
        if hold:
            self.held.set()
            self.released.wait()
        return hold


class _Forwarder(http.server.BaseHTTPRequestHandler):
    server: HoldingProxy

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "POST" and self.server.holds(body):
            self.close_connection = True  # never answered
            return
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname or "", upstream.port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            if body:
                headers["Content-Length"] = str(len(body))
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = _forward

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the index server keeps its own log."""


@pytest.fixture
def held_testpypi(servers: tuple[Server, Server]) -> Iterator[HoldingProxy]:
    proxy = HoldingProxy(servers[0].url)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield proxy
    proxy.released.set()
    proxy.shutdown()
    proxy.server_close()
    thread.join()


def descendants(pid: int) -> dict[int, str]:
    """The processes that ``pid`` started, and those they started, and so on: pid ->
    command line (read from /proc)."""
    parents: dict[int, int] = {}
    lines: dict[int, str] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:  # it ended while we looked
            continue
        parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
        lines[int(entry.name)] = line
    found: dict[int, str] = {}
    generation = {pid}
    while generation:
        generation = {child for child, parent in parents.items() if parent in generation}
        found |= {child: lines[child] for child in generation}
    return found


def start_publish(
    run_gates: GateRunner, repo: ReleaseRepo, testpypi: str, pypi: str
) -> tuple[subprocess.Popen[bytes], Path]:
    """The publish run ``publish`` makes, started in the background, and its output's file."""
    pytester = run_gates.pytester
    output = pytester.path / "interrupted.out"
    with output.open("w", encoding="utf-8") as sink:  # the child writes to its descriptor
        session: subprocess.Popen[bytes] = pytester.popen(
            [
                sys.executable,
                "-m",
                "pytest",
                f"--basetemp={pytester.path / 'interrupted-tmp'}",
                "release_tests",
                "-m",
                "publish",
                "--release-version",
                VERSION,
                f"--monorepo={repo.root}",
                f"--testpypi={testpypi}",
                f"--pypi={pypi}",
                *WAIVE_CI,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return session, output


def test_sigterm_during_the_testpypi_upload_ends_cleanly_and_the_rerun_resumes(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    servers: tuple[Server, Server],
    held_testpypi: HoldingProxy,
    tmp_path: Path,
) -> None:
    testpypi, pypi = servers
    held_testpypi.hold_upload = 3  # the first file of the second package
    session, output = start_publish(run_gates, release_repo, held_testpypi.url, pypi.url)
    try:
        came = held_testpypi.held.wait(SESSION_SECONDS)
        running = descendants(session.pid)
    finally:
        os.kill(session.pid, signal.SIGTERM)
        try:
            session.wait(ENDING_SECONDS)
        except subprocess.TimeoutExpired:
            session.kill()
            session.wait()
    said = output.read_text(encoding="utf-8", errors="replace")
    core_files = PUBLISH_ORDER_FILES[:2]
    assert came, said
    assert session.returncode != -signal.SIGKILL, f"no end {ENDING_SECONDS} s after SIGTERM"

    # Signalled while twine sent a file, with the rehearsal's index server still up.
    assert any(" -m twine " in line and " upload " in line for line in running.values()), running
    assert any("pypiserver" in line for line in running.values()), running
    assert session.returncode == pytest.ExitCode.INTERRUPTED, said
    assert "SIGTERM received" in said
    assert "release checklist" in said
    assert (
        f"Publish interrupted. Live now: on testpypi ({held_testpypi.url}): "
        f"{', '.join(core_files)}. Tags: local none; pushed none. Nothing went to the "
        "production index." in " ".join(said.split())
    ), said
    assert "Traceback" not in said
    survivors = {pid: line for pid, line in running.items() if not ended(pid)}
    assert not survivors, f"still running after the session ended: {survivors}"
    assert held_testpypi.uploads == [*core_files, PUBLISH_ORDER_FILES[2]]
    assert testpypi.files_in_upload_order() == core_files
    assert pypi.files_in_upload_order() == []
    uploaded_first = testpypi.modified()

    # The same command again: what TestPyPI holds is not sent twice, the rest follows.
    held_testpypi.hold_upload = None
    held_testpypi.uploads.clear()
    # In a fresh clone, without pytest's cache or the build cache, as on a new CI runner:
    # what is on TestPyPI, not what this checkout kept, says what is left to send.
    clone = fresh_clone(release_repo, tmp_path / "resume")
    again = publish(
        run_gates, clone, held_testpypi.url, pypi.url, *WAIVE_CI, *NO_CACHE, "--no-build-cache"
    )

    assert_outcomes(again, gates=ALL_GATES)
    assert held_testpypi.uploads == PUBLISH_ORDER_FILES[2:]
    assert testpypi.files_in_upload_order() == PUBLISH_ORDER_FILES
    assert {name: testpypi.modified()[name] for name in core_files} == uploaded_first
    # JUnit: "NAME sha256=HEX HOW" for each file of the release on TestPyPI.
    placed = [
        (value.split()[0], value.split(maxsplit=2)[2])
        for value in junit_values(again, "testpypi_file")
    ]
    # The rebuilt setuptools sdist differs from the uploaded one in its archive bytes alone
    # (gzip's time stamp): the index's file, of the same contents, is the release's.
    same_contents = (
        "already there, the same contents in other archive bytes "
        "(the index's file is the release's from here on)"
    )
    assert [name for name, _ in placed] == PUBLISH_ORDER_FILES
    assert {how for name, how in placed if name not in core_files} == {"uploaded"}
    assert {how for name, how in placed if name in core_files} <= {"already there", same_contents}
    assert pypi.files_in_upload_order() == PUBLISH_ORDER_FILES
    assert remote_tag(release_repo, TAG) == clone.git("rev-parse", "HEAD")
