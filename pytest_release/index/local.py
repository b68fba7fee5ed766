"""The package indexes a release uploads to and installs from, behind one interface.

``LocalIndex``: pypiserver (``python -m pypiserver run``) on 127.0.0.1 for this session, in
its own process group, with an empty packages folder, a generated upload password and no
fallback to PyPI (a project it does not hold is a 404, never a redirect). ``RemoteIndex``:
an index the user named (``--testpypi`` / ``--pypi``), with twine's own credentials.
Both upload with ``python -m twine upload`` and list a project's files from the simple API.
"""

from __future__ import annotations

import base64
import configparser
import http.client
import os
import secrets
import socket
import sys
import time
import urllib.error
import urllib.request
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name

from pytest_release.index.names import (
    JSON_CONTENT_TYPE,
    LOCAL,
    SIMPLE_URL_VARIABLES,
    IndexFile,
    UploadIndex,
    bypassing_proxy,
    htpasswd_line,
    parse_simple_html,
    parse_simple_json,
    read_pypirc,
    resolve_upload_index,
    simple_url_for,
    twine_batches,
)
from pytest_release.process import (
    TAIL_LINES,
    Background,
    CommandResult,
    child_environment,
    log_tail,
    quoted,
    run_command,
    start_background,
)
from pytest_release.redact import scrub_secrets, split_credentials

__all__ = [
    "IndexFile",
    "IndexQueryError",
    "IndexStartError",
    "LocalIndex",
    "PackageIndex",
    "PackageIndexError",
    "RemoteIndex",
    "UnknownIndexError",
    "bypassing_proxy",
    "free_port",
    "open_index",
    "remote_index",
    "start_local_index",
    "twine_batches",
]

HOST = "127.0.0.1"
LOCAL_USERNAME = "release"
UPLOAD_SECONDS = 900.0
QUERY_SECONDS = 30.0
START_ATTEMPTS = 5  # ports tried when the chosen one is taken before the server binds it
_POLL_SECONDS = 0.05
_ACCEPT = f"{JSON_CONTENT_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
_PORT_TAKEN = ("address already in use", "only one usage of each socket address")
_TWINE_DISPLAY = {"COLUMNS": "200", "PYTHONUNBUFFERED": "1"}  # unwrapped lines, in order


class PackageIndexError(Exception):
    """An index could not be used; the message says which and why."""


class IndexStartError(PackageIndexError):
    """The local index did not start; the message holds the server's output."""


class UnknownIndexError(PackageIndexError):
    """An index name that is neither a URL nor a repository of ~/.pypirc."""


class IndexQueryError(PackageIndexError):
    """The simple API could not be read (other than a 404: that is an unknown project)."""


class PackageIndex(ABC):
    """An index: ``upload`` files to it, list the ``files`` it holds for a project."""

    label: str  # "local", "testpypi", "https://..."
    simple_url: str  # the simple API, ending with "/"
    upload_url: str

    def __init__(self, label: str, simple_url: str, upload_url: str) -> None:
        self.label = label
        self.simple_url = simple_url if simple_url.endswith("/") else f"{simple_url}/"
        self.upload_url = upload_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label!r}, simple_url={self.simple_url!r})"

    def upload(self, files: Sequence[Path]) -> CommandResult:
        """``python -m twine upload --non-interactive`` of ``files`` in the order given.

        twine uploads a command's wheels before its sdists, so the files go in as many
        commands as that order needs; the first failure stops the upload. The result is
        the last command's, with the output of all of them, every secret masked.
        """
        paths = [Path(file).resolve() for file in files]
        if not paths:
            raise ValueError("no files to upload")
        environment = self._twine_environment()
        hidden = [environment.get("TWINE_PASSWORD", ""), *self._secrets()]
        lines: list[str] = []
        left_out = 0
        for batch in twine_batches(paths):
            command = [sys.executable, "-m", "twine", "--no-color", "upload", "--non-interactive"]
            command += ["--disable-progress-bar", *self._twine_target(), *map(str, batch)]
            result = run_command(
                command, cwd=paths[0].parent, timeout=UPLOAD_SECONDS, environment=environment
            )
            lines += [line.rstrip() for line in result.output.splitlines() if line.strip()]
            left_out += result.left_out
            if not result.ok:
                break
        output = scrub_secrets("\n".join(lines), hidden)
        return replace(result, output=output, left_out=left_out)

    def files(self, project: str) -> list[IndexFile]:
        """The files the index holds for ``project``, from its simple API (PEP 691 JSON
        when offered, else PEP 503 HTML); ``[]`` for a project it does not know (404)."""
        url = f"{self.simple_url}{canonicalize_name(project)}/"
        plain_url, credentials = split_credentials(url)
        request = urllib.request.Request(plain_url, headers={"Accept": _ACCEPT})
        if credentials is not None:
            token = base64.b64encode(":".join(credentials).encode()).decode()
            request.add_unredirected_header("Authorization", f"Basic {token}")
        try:
            with self._opener().open(request, timeout=QUERY_SECONDS) as response:
                content_type = response.headers.get_content_type()
                charset = response.headers.get_content_charset() or "utf-8"
                text = response.read().decode(charset, "replace")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return []
            problem = f"{url} answered {error.code} {error.reason}"
        except (OSError, http.client.HTTPException) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            problem = f"{url} could not be read: {reason}"
        else:
            try:
                if content_type == JSON_CONTENT_TYPE:
                    return parse_simple_json(text)
                return parse_simple_html(text)
            except ValueError as error:
                problem = f"{url} is not a simple API project page: {error}"
        raise IndexQueryError(scrub_secrets(problem, self._secrets()))

    def _opener(self) -> urllib.request.OpenerDirector:
        return urllib.request.build_opener()

    @abstractmethod
    def _twine_target(self) -> list[str]:
        """The twine options that name this index."""

    @abstractmethod
    def _twine_environment(self) -> dict[str, str]:
        """The environment of the twine commands."""

    @abstractmethod
    def _secrets(self) -> list[str]:
        """What must never be shown, besides TWINE_PASSWORD."""


class RemoteIndex(PackageIndex):
    """An index the user named; twine finds the credentials as it always does (environment,
    ~/.pypirc, keyring, trusted publishing)."""

    def __init__(
        self,
        label: str,
        simple_url: str,
        upload_url: str,
        repository: str | None = None,
        pypirc_passwords: Sequence[str] = (),
    ) -> None:
        super().__init__(label, simple_url, upload_url)
        self.repository = repository  # the ~/.pypirc section twine reads, if any
        self._pypirc_passwords = list(pypirc_passwords)  # to mask, should twine show one

    def _twine_target(self) -> list[str]:
        if self.repository:
            return ["--repository", self.repository]
        return ["--repository-url", self.upload_url]

    def _twine_environment(self) -> dict[str, str]:
        environment = child_environment(_TWINE_DISPLAY, colour=False)
        for variable in ("TWINE_REPOSITORY", "TWINE_REPOSITORY_URL"):  # we name the index
            environment.pop(variable, None)
        return environment

    def _secrets(self) -> list[str]:
        return [*self._pypirc_passwords, urlsplit(self.upload_url).password or ""]


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

    def _opener(self) -> urllib.request.OpenerDirector:
        return _loopback_opener()

    def _twine_target(self) -> list[str]:
        return ["--repository-url", self.upload_url]

    def _twine_environment(self) -> dict[str, str]:
        environment = {
            key: value
            for key, value in child_environment(_TWINE_DISPLAY, colour=False).items()
            if not key.startswith("TWINE_")  # the index and the credentials are ours
        }
        credentials = {"TWINE_USERNAME": LOCAL_USERNAME, "TWINE_PASSWORD": self._password}
        return bypassing_proxy(environment) | credentials

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
        command = [str(python), "-m", "pypiserver", "run", "--host", HOST, "--port", str(port)]
        command += ["--authenticate", "update", "--passwords", str(htpasswd)]
        command += ["--disable-fallback", "--hash-algo", "sha256"]
        command += ["--health-endpoint", f"/health-{nonce}", str(packages)]
        server = _spawn(command, log)
        failure = _wait_until_serving(server, port, nonce, give_up, deadline)
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


def remote_index(
    index: UploadIndex, pypirc: configparser.RawConfigParser, *, simple_url: str | None = None
) -> RemoteIndex:
    """The remote index ``index`` names; its simple URL ``simple_url`` when given, else
    derived from the upload URL (``simple_url_for``)."""
    if index.is_local:
        raise ValueError("the local index is started with start_local_index")
    if index.upload_url is None:
        raise UnknownIndexError(
            f"the index {index.label!r} is neither an upload URL nor a repository of "
            "~/.pypirc: give its URL, or add a section with a `repository` URL to ~/.pypirc"
        )
    sections = [index.repository, "server-login"] if index.repository else ["server-login"]
    passwords = [pypirc.get(section, "password", fallback="") for section in sections]
    return RemoteIndex(
        index.label,
        simple_url or simple_url_for(index.upload_url),
        index.upload_url,
        index.repository,
        passwords,
    )


def open_index(
    label: str,
    role: str,
    scratch: Callable[[], Path],
    *,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> PackageIndex:
    """The index named ``label`` for ``role`` ("testpypi" or "pypi"): ``local`` starts one
    in ``scratch()``; a remote one's simple URL comes from RELEASE_<ROLE>_SIMPLE_URL when
    that is set, else from its upload URL."""
    if label == LOCAL:
        return start_local_index(scratch())
    pypirc = read_pypirc(home or Path.home())
    variable = SIMPLE_URL_VARIABLES.get(role)
    override = (os.environ if environ is None else environ).get(variable or "") or None
    return remote_index(resolve_upload_index(label, pypirc), pypirc, simple_url=override)


def _spawn(command: list[str], log: Path) -> Background:
    environment = child_environment({"PYTHONUNBUFFERED": "1"})
    try:
        return start_background(command, log=log, cwd=log.parent, environment=environment)
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
