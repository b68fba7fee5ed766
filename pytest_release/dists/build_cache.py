"""Built files kept across sessions, content-addressed, in the user's cache folder.

A package's sdist and wheel depend on the files its build reads (the scratch copy
``build.copy_sources`` makes: the package folder with its ``pyproject.toml``, whose
``[build-system]`` names the backend and its requirements, and the repo root's top-level
files), the Python that builds, the version told to a tool that computes it, and
SOURCE_DATE_EPOCH. The digest of all of these names an entry: a folder holding the files
and ``record.json``, each file's name with its sha256.

An entry is written whole or not at all: the files go into a temporary folder beside it,
which is then renamed into place, so another session (pytest-xdist, a second terminal)
sees either no entry or a complete one; the first to rename wins and the other's copy is
dropped. A reused file is copied out and the copy's sha256 checked against the record; an
entry that fails the check is removed and the package built again. The gates then check
the reused files exactly as they check fresh ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_release.dists.files import file_sha256

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

RECORD = "record.json"


def source_digest(folder: Path, parts: Iterable[str]) -> str:
    """A sha256 of ``parts`` (each a text the result depends on) and of every file below
    ``folder``: its path there and its bytes. A key of what a backend makes of a copy."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for path in sorted(path for path in folder.rglob("*") if path.is_file()):
        name = path.relative_to(folder).as_posix()
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class BuildCache:
    """The entries below ``folder``, by key (a ``source_digest``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def restore(self, key: str, dest: Path) -> tuple[Path, ...] | None:
        """The files of the entry ``key`` copied into ``dest``, each copy's sha256 checked
        against the record; None when there is no entry, or a damaged one (then removed)."""
        entry = self.folder / key
        try:
            record = json.loads((entry / RECORD).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            record = None
        files = record.get("files") if isinstance(record, dict) else None
        restored = _restored(entry, files, dest) if isinstance(files, dict) and files else None
        if restored is None:
            self._remove(entry)
        return restored

    def keep(self, key: str, files: Sequence[Path]) -> None:
        """Keep ``files`` under ``key``, whole or not at all; a cache that cannot be
        written is only slower, so a failure is ignored."""
        partial: Path | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=self.folder))
            for path in files:
                shutil.copy2(path, partial / path.name)
            record = {"files": {path.name: file_sha256(partial / path.name) for path in files}}
            (partial / RECORD).write_text(json.dumps(record, indent=1), encoding="utf-8")
            partial.rename(self.folder / key)  # atomic; fails when the entry exists
            partial = None
        except OSError:
            pass
        finally:
            if partial is not None:
                shutil.rmtree(partial, ignore_errors=True)

    def _remove(self, entry: Path) -> None:
        """Take a damaged entry out of reach at once (a rename), then delete it."""
        doomed = self.folder / f".removed-{entry.name[:12]}-{os.getpid()}"
        try:
            entry.rename(doomed)
        except OSError:
            return  # gone already, or never there
        shutil.rmtree(doomed, ignore_errors=True)


def _restored(entry: Path, files: dict[object, object], dest: Path) -> tuple[Path, ...] | None:
    """The recorded ``files`` of ``entry`` copied into ``dest``; None, with the copies
    removed, when one is missing or its copy's sha256 differs from the record's."""
    copied: list[Path] = []
    for name, sha256 in files.items():
        if not isinstance(name, str) or not isinstance(sha256, str) or Path(name).name != name:
            break
        target = dest / name
        try:
            shutil.copy2(entry / name, target)
        except OSError:
            break
        copied.append(target)
        if file_sha256(target) != sha256:
            break
    else:
        return tuple(sorted(copied))
    for path in copied:
        path.unlink(missing_ok=True)
    return None
