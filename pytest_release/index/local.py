"""The local index: pypiserver (``python -m pypiserver run``) on 127.0.0.1 for this
session, in its own process group, with an empty packages folder, a generated upload
password and no fallback to PyPI (a project it does not hold is a 404, never a redirect).
"""

from __future__ import annotations

import http.client
import secrets
import shutil
import socket
import sys
import time
import urllib.request
import weakref
from collections.abc import Callable
from pathlib import Path

from pytest_release.index.names import LOCAL, bypassing_proxy, htpasswd_line
from pytest_release.index.package_index import TWINE_DISPLAY, IndexStartError, PackageIndex
from pytest_release.process import (
    TAIL_LINES,
    Background,
    child_environment,
    log_tail,
    quoted,
    start_background,
)
from pytest_release.redact import register_secret

HOST = "127.0.0.1"
LOCAL_USERNAME = "release"
START_ATTEMPTS = 5  # ports tried when the chosen one is taken before the server binds it
_POLL_SECONDS = 0.05
_PORT_TAKEN = ("address already in use", "only one usage of each socket address")
# pypiserver, run by a launcher that ends it as soon as the session that started it is
# gone, however it ended (a SIGKILL leaves the session no chance to stop it): its stdin is
# a pipe that only the session holds open, which reaches its end then.
_ORPHANS_EXIT = """
import os, runpy, sys, threading
def exit_with_the_session():
    sys.stdin.buffer.read()
    os._exit(1)
threading.Thread(target=exit_with_the_session, daemon=True).start()
sys.argv[0] = "pypiserver"
runpy.run_module("pypiserver", run_name="__main__", alter_sys=True)
"""


class LocalIndex(PackageIndex):
    """pypiserver on 127.0.0.1, started by ``start_local_index``; ``stop`` ends it."""

    def __init__(self, server: Background, port: int, packages_dir: Path, password: str) -> None:
        upload_url = f"http://{HOST}:{port}/"
        super().__init__(LOCAL, f"{upload_url}simple/", upload_url)
        self.packages_dir = packages_dir
        self.port = port
        self.pid = server.pid
        self.log = server.log  # the server's output
        self._password = password
        self._server = server
        self._stop = weakref.finalize(self, server.stop)  # also at interpreter exit

    @property
    def running(self) -> bool:
        """Whether the server is up: started, not stopped, and not exited by itself."""
        return self._stop.alive and self._server.returncode is None

    def stop(self) -> None:
        """Stop the server and everything it started; calling it again does nothing."""
        self._stop()

    def clear(self) -> None:
        """Remove every file uploaded so far: the index is empty again."""
        for path in self.packages_dir.iterdir():
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()

    def _opener(self) -> urllib.request.OpenerDirector:
        return _loopback_opener()

    def _twine_target(self) -> list[str]:
        return ["--repository-url", self.upload_url]

    def _twine_environment(self) -> dict[str, str]:
        credentials = {"TWINE_USERNAME": LOCAL_USERNAME, "TWINE_PASSWORD": self._password}
        return bypassing_proxy(child_environment({**TWINE_DISPLAY, **credentials}, colour=False))

    def _secrets(self) -> list[str]:
        return [self._password]


def start_local_index(
    scratch: Path,
    *,
    deadline: float = 30.0,
    python: str | Path = sys.executable,
    choose_port: Callable[[], int] | None = None,
    password: str | None = None,
) -> LocalIndex:
    """Start pypiserver serving ``scratch/packages`` (created empty) and wait, at most
    ``deadline`` seconds in all, until it answers; ``IndexStartError`` otherwise, with the
    server stopped. A port taken before the server binds it is replaced by another
    (``choose_port``, default ``free_port``, picks each). Uploads need the user
    ``release`` and ``password`` (default: a random one)."""
    give_up = time.monotonic() + deadline
    packages, htpasswd = scratch / "packages", scratch / "htpasswd"
    password = password or secrets.token_urlsafe(24)
    register_secret(password)
    try:
        packages.mkdir(parents=True)
        htpasswd.touch(mode=0o600)
        htpasswd.write_text(htpasswd_line(LOCAL_USERNAME, password), encoding="utf-8")
    except OSError as error:
        raise IndexStartError(f"the local index could not be set up: {error}") from None
    nonce = secrets.token_hex(8)
    for attempt in range(1, START_ATTEMPTS + 1):
        port = (choose_port or free_port)()
        log = scratch / f"server-{port}.log"
        command = [str(python), "-c", _ORPHANS_EXIT, "run", "--host", HOST, "--port", str(port)]
        command += ["--authenticate", "update", "--passwords", str(htpasswd)]
        # simple-dir: pypiserver's cached backend (on when watchdog is installed) learns of
        # a new or replaced file from a file-system watcher, later than a listing can ask
        command += ["--disable-fallback", "--hash-algo", "sha256", "--backend", "simple-dir"]
        command += ["--health-endpoint", f"/health-{nonce}", str(packages)]
        server = _spawn(command, log)
        try:
            failure = _wait_until_serving(server, port, nonce, give_up, deadline)
        except BaseException:  # an interrupt (Ctrl-C, SIGTERM) while it starts
            server.stop()
            raise
        if failure is None:
            return LocalIndex(server, port, packages, password)
        server.stop()
        output, left_out = log_tail(log)
        port_taken = any(marker in output.lower() for marker in _PORT_TAKEN)
        if not (port_taken and attempt < START_ATTEMPTS and time.monotonic() < give_up):
            raise IndexStartError(
                f"the local index (pypiserver) did not start: {failure}; the last lines of "
                f"its output:\n{quoted(output, last=TAIL_LINES, left_out=left_out)}\nlog: {log}"
            )
    raise AssertionError("unreachable")  # pragma: no cover


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _spawn(command: list[str], log: Path) -> Background:
    environment = child_environment({"PYTHONUNBUFFERED": "1"})
    try:
        return start_background(
            command, log=log, cwd=log.parent, environment=environment, parent_pipe=True
        )
    except OSError as error:
        raise IndexStartError(f"the local index (pypiserver) could not start: {error}") from None


def _wait_until_serving(
    server: Background, port: int, nonce: str, give_up: float, deadline: float
) -> str | None:
    """``None`` once this server (its health endpoint has a path of its own, so another
    server on the port does not count) and its simple API answer; else why not."""
    base = f"http://{HOST}:{port}"
    opener = _loopback_opener()
    while True:
        if server.returncode is not None:
            return f"it exited with code {server.returncode} before it answered"
        if _answers(opener, f"{base}/health-{nonce}", give_up) and _answers(
            opener, f"{base}/simple/", give_up
        ):
            return None
        remaining = give_up - time.monotonic()
        if remaining <= 0:
            return f"it did not answer at {base}/simple/ within {deadline:g} s"
        server.wait(min(_POLL_SECONDS, remaining))  # returns early if it exits


def _answers(opener: urllib.request.OpenerDirector, url: str, give_up: float) -> bool:
    timeout = min(0.5, max(give_up - time.monotonic(), 0.05))  # ours answers in ms
    try:
        with opener.open(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (OSError, http.client.HTTPException):
        return False


def _loopback_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))
