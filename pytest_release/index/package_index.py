"""A package index behind one interface: ``upload`` files with ``python -m twine upload``
in the order given, list the ``files`` it holds for a project from its simple API.
``LocalIndex`` (local.py) and ``RemoteIndex`` (remote.py) say how twine reaches them."""

from __future__ import annotations

import base64
import http.client
import sys
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from packaging.utils import canonicalize_name

from pytest_release.index.names import (
    JSON_CONTENT_TYPE,
    IndexFile,
    parse_simple_html,
    parse_simple_json,
    twine_batches,
)
from pytest_release.process import CommandResult, run_command
from pytest_release.redact import scrub_secrets, split_credentials

UPLOAD_SECONDS = 900.0
QUERY_SECONDS = 30.0
TWINE_DISPLAY = {"COLUMNS": "200", "PYTHONUNBUFFERED": "1"}  # unwrapped lines, in order
_ACCEPT = f"{JSON_CONTENT_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


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
        try:
            with self._opener().open(self._request(url), timeout=QUERY_SECONDS) as response:
                content_type = response.headers.get_content_type()
                charset = response.headers.get_content_charset() or "utf-8"
                body = response.read()
            text = body.decode(charset, "replace")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return []
            problem = f"{url} answered {error.code} {error.reason}"
        except (OSError, http.client.HTTPException) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            problem = f"{url} could not be read: {reason}"
        except LookupError:  # the decode of a charset= Python does not know
            problem = f"{url} names a character set Python does not know: {charset!r}"
        else:
            try:
                if content_type == JSON_CONTENT_TYPE:
                    return parse_simple_json(text)
                return parse_simple_html(text)
            except ValueError as error:
                problem = f"{url} is not a simple API project page: {error}"
        raise IndexQueryError(scrub_secrets(problem, self._secrets()))

    def download(self, project: str, file: IndexFile, destination: Path) -> Path:
        """The file ``file`` of ``project``, as the index holds it, saved in the folder
        ``destination``; IndexQueryError when it cannot be read."""
        page = f"{self.simple_url}{canonicalize_name(project)}/"
        url = urllib.parse.urljoin(page, file.url or file.filename)
        target = destination / file.filename
        try:
            with self._opener().open(self._request(url), timeout=QUERY_SECONDS) as response:
                destination.mkdir(parents=True, exist_ok=True)
                target.write_bytes(response.read())
        except (OSError, http.client.HTTPException) as error:
            problem = f"{file.filename} could not be downloaded from {url}: {error}"
            raise IndexQueryError(scrub_secrets(problem, self._secrets())) from None
        return target

    def _request(self, url: str) -> urllib.request.Request:
        """A request for ``url``, the credentials written into it sent as HTTP Basic auth
        to that host alone (urllib would take them for part of the host)."""
        plain_url, credentials = split_credentials(url)
        request = urllib.request.Request(plain_url, headers={"Accept": _ACCEPT})
        if credentials is not None:
            token = base64.b64encode(":".join(credentials).encode()).decode()
            request.add_unredirected_header("Authorization", f"Basic {token}")
        return request

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
