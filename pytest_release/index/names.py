"""Package indexes by the names users give them: a ~/.pypirc repository, an upload URL, or local;
the simple API's listings (PEP 503 HTML, PEP 691 JSON) and the secrets never to show."""

from __future__ import annotations

import base64
import configparser
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from pytest_release.redact import split_credentials

LOCAL = "local"
WELL_KNOWN_UPLOAD_URLS = {
    "pypi": "https://upload.pypi.org/legacy/",
    "testpypi": "https://test.pypi.org/legacy/",
}


@dataclass(frozen=True)
class UploadIndex:
    label: str  # as the user wrote it: "testpypi", "https://...", "local"
    repository: str | None  # the ~/.pypirc section that describes it, if any
    upload_url: str | None  # None for the local index, whose URL exists only once it runs

    @property
    def is_local(self) -> bool:
        return self.label == LOCAL

    def describe(self) -> str:
        """Its label, and its upload URL when that says more; never a password in a URL."""
        if self.is_local:
            return "the local index"
        label = split_credentials(self.label)[0]
        url = split_credentials(self.upload_url or "")[0]
        return label if label == url else f"{label} ({url})"


def read_pypirc(home: Path) -> configparser.RawConfigParser:
    """~/.pypirc as twine reads it; an unreadable file reads as empty."""
    parser = configparser.RawConfigParser()
    try:
        parser.read(home / ".pypirc", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return configparser.RawConfigParser()
    return parser


def resolve_upload_index(label: str, pypirc: configparser.RawConfigParser) -> UploadIndex:
    if label == LOCAL:
        return UploadIndex(label, None, None)
    if "://" in label:
        for section in pypirc.sections():
            if pypirc.get(section, "repository", fallback="").rstrip("/") == label.rstrip("/"):
                return UploadIndex(label, section, label)
        return UploadIndex(label, None, label)
    url = pypirc.get(label, "repository", fallback=None) or WELL_KNOWN_UPLOAD_URLS.get(label)
    return UploadIndex(label, label if pypirc.has_section(label) else None, url)


# A token for one index alone: twine gets it as __token__'s password for that upload only.
TOKEN_VARIABLES = {"testpypi": "RELEASE_TESTPYPI_TOKEN", "pypi": "RELEASE_PYPI_TOKEN"}
# What trusted publishing's identity detectors read on each CI: for the upload alone.
TRUSTED_PUBLISHING_SECRETS = (
    "ACTIONS_ID_TOKEN_REQUEST_",
    "PYPI_ID_TOKEN",
    "TESTPYPI_ID_TOKEN",
    "BUILDKITE_AGENT_ACCESS_TOKEN",
    "CIRCLE_OIDC_TOKEN",
)


def upload_credentials(role: str, upload_url: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables that give twine its credentials for the upload of ``role``'s index, and
    that upload alone: the role's own token (``RELEASE_<ROLE>_TOKEN``); else the user name
    and password written into ``upload_url``; else twine's own variables (``TWINE_*``, but
    the index, which the upload names itself) and trusted publishing's OIDC request."""
    token = environ.get(TOKEN_VARIABLES.get(role, ""), "")
    if token:
        return {"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": token}
    written = split_credentials(upload_url)[1]
    if written is not None:
        username, password = written
        return {"TWINE_USERNAME": username, "TWINE_PASSWORD": password}
    return {
        name: value
        for name, value in environ.items()
        if (name.startswith("TWINE_") and name not in {"TWINE_REPOSITORY", "TWINE_REPOSITORY_URL"})
        or name.startswith(TRUSTED_PUBLISHING_SECRETS)
    }


def same_host(first: str, second: str) -> bool:
    return urlsplit(first).hostname == urlsplit(second).hostname


def index_conflict(testpypi: UploadIndex, pypi: UploadIndex) -> str | None:
    """Why ``--testpypi`` and ``--pypi`` cannot be a release's two indexes, or None: the
    staging upload must not go to production."""
    if testpypi.is_local or testpypi.upload_url is None:
        return None
    staging = split_credentials(testpypi.upload_url)[0].rstrip("/")
    if staging == WELL_KNOWN_UPLOAD_URLS["pypi"].rstrip("/"):
        return (
            f"--testpypi {testpypi.describe()} is the production PyPI: the staging upload would "
            "go to production. Give --testpypi the TestPyPI index (testpypi) or a staging one"
        )
    if pypi.upload_url is not None and staging == split_credentials(pypi.upload_url)[0].rstrip("/"):
        return (
            f"--testpypi and --pypi name the same index, {pypi.describe()}: the staging upload "
            "would be the production one. Give each its own index"
        )
    return None


def unread_by_twine(index: UploadIndex, pypirc: configparser.RawConfigParser) -> bool:
    """Whether the ~/.pypirc section describing ``index`` is one twine ignores: twine reads
    only the sections that ``[distutils] index-servers`` lists (default: pypi, testpypi)."""
    listed = pypirc.get("distutils", "index-servers", fallback="pypi testpypi").split()
    return index.repository is not None and index.repository not in listed


# --- what an index's simple API says, and what must never be shown ----------------------

PYPI_SIMPLE_URLS = {
    "upload.pypi.org": "https://pypi.org/simple/",
    "pypi.org": "https://pypi.org/simple/",
    "test.pypi.org": "https://test.pypi.org/simple/",
}
# The simple URL of the index named by --testpypi / --pypi, when the derived one is wrong.
SIMPLE_URL_VARIABLES = {
    "testpypi": "RELEASE_TESTPYPI_SIMPLE_URL",
    "pypi": "RELEASE_PYPI_SIMPLE_URL",
}
LOOPBACK = ("127.0.0.1", "localhost")
JSON_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json"


@dataclass(frozen=True)
class IndexFile:
    """A file an index holds for a project; ``sha256`` is "" when the index gives none."""

    filename: str
    sha256: str
    # Where to download it, as the project page links it (maybe relative): not what it is.
    url: str = field(default="", compare=False)


def sha256_by_name(listed: Iterable[IndexFile]) -> dict[str, str]:
    """The sha256 the index gives for each file of a listing, by file name."""
    return {entry.filename: entry.sha256 for entry in listed}


def simple_url_for(upload_url: str) -> str:
    """The simple API (PEP 503) of the index that ``upload_url`` uploads to.

    PyPI and TestPyPI by their hosts; else a last path segment ``legacy`` becomes
    ``simple`` (warehouse, pypiserver behind a proxy), and any other URL gets ``simple/``
    appended (``https://host/repository/x/`` -> ``https://host/repository/x/simple/``).
    """
    parts = urlsplit(upload_url)
    well_known = PYPI_SIMPLE_URLS.get(parts.hostname or "")
    if well_known is not None and parts.username is None:
        return well_known
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    path = f"{head}/simple/" if last == "legacy" else f"{path}/simple/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def parse_simple_json(text: str) -> list[IndexFile]:
    """The files of a PEP 691 JSON project page; ValueError when it is not one."""
    page = json.loads(text)
    files = page.get("files") if isinstance(page, dict) else None
    if not isinstance(files, list):
        raise ValueError("not a PEP 691 project page: no list of files")
    found = []
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            raise ValueError(f"not a PEP 691 file entry: {entry!r}")
        hashes = entry.get("hashes")
        sha256 = hashes.get("sha256") if isinstance(hashes, dict) else None
        # Hex digits in either case name the same digest; ours are lower-case.
        url = entry.get("url")
        found.append(
            IndexFile(
                entry["filename"],
                sha256.lower() if isinstance(sha256, str) else "",
                url if isinstance(url, str) else "",
            )
        )
    return found


def parse_simple_html(text: str) -> list[IndexFile]:
    """The files of a PEP 503 HTML project page: each anchor's text (else the last segment
    of its URL) with the ``#sha256=`` fragment of its URL."""
    parser = _AnchorParser()
    parser.feed(text)
    parser.close()
    found = []
    for href, anchor_text in parser.anchors:
        url = urlsplit(href)
        filename = anchor_text.strip() or unquote(url.path.rpartition("/")[2])
        algorithm, _, digest = url.fragment.partition("=")
        link = urlunsplit(url._replace(fragment=""))
        found.append(IndexFile(filename, digest.lower() if algorithm == "sha256" else "", link))
    return found


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str]] = []
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self._open = (href, [])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open[0], "".join(self._open[1])))
            self._open = None


def twine_batches(files: Iterable[Path]) -> list[list[Path]]:
    """``files`` cut into twine commands that upload them in the order given: twine puts a
    command's wheels first, so a wheel that follows another file starts a new command."""
    batches: list[list[Path]] = []
    for file in files:
        after_other = bool(batches) and not batches[-1][-1].name.endswith(".whl")
        if not batches or (file.name.endswith(".whl") and after_other):
            batches.append([])
        batches[-1].append(file)
    return batches


def bypassing_proxy(environment: Mapping[str, str]) -> dict[str, str]:
    """``environment`` with 127.0.0.1 and localhost added to NO_PROXY and no_proxy, so a
    proxy set for the internet does not take requests meant for the local index."""
    result = dict(environment)
    for variable in ("NO_PROXY", "no_proxy"):
        present = [part.strip() for part in result.get(variable, "").split(",") if part.strip()]
        result[variable] = ",".join([*present, *(h for h in LOOPBACK if h not in present)])
    return result


def htpasswd_line(username: str, password: str) -> str:
    """An Apache htpasswd entry in its ``{SHA}`` form (pypiserver reads it with passlib):
    enough for a random password that lives only as long as the session's server."""
    digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
    return f"{username}:{{SHA}}{digest}\n"
