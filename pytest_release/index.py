"""Package indexes by the names users give them: a ~/.pypirc repository, an upload URL, or local."""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path

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
        if self.is_local:
            return "the local index"
        return self.label if self.label == self.upload_url else f"{self.label} ({self.upload_url})"


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
