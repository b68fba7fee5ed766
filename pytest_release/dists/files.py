"""The files a build made: a wheel or an sdist read, and their file names checked (pure).

Reads the member lists and the core metadata text of a ``.whl`` or ``.tar.gz`` into a
``DistFile``; checks that the build made one of each, named after the dist and its version.
What the metadata says is compared in ``dist_metadata``, what the files hold in
``dist_contents``. Nothing here builds, runs a child process or imports pytest.
"""

from __future__ import annotations

import hashlib
import re
import tarfile
import tomllib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from pytest_release.problems import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from pytest_release.target.monorepo import Package

WHEEL_SPEC = "https://packaging.python.org/en/latest/specifications/binary-distribution-format/"
SDIST_SPEC = "https://packaging.python.org/en/latest/specifications/source-distribution-format/"
SHOWN = 8  # names listed in one problem before "and N more"


@dataclass(frozen=True)
class DistFile:
    """A wheel or an sdist as read: its files and its core metadata text.

    ``members`` are POSIX paths of the regular files and links in the archive; an sdist's
    are relative to its ``top`` folder (``name-version/``), or whole when there is no single
    top folder (``top`` is then ``None``). ``metadata`` is the text of the wheel's
    ``*.dist-info/METADATA`` or the sdist's ``PKG-INFO``, ``None`` when it has none.
    """

    path: Path
    kind: Literal["wheel", "sdist"]
    members: frozenset[str]
    metadata: str | None
    top: str | None = None

    @property
    def metadata_name(self) -> str:
        return "METADATA" if self.kind == "wheel" else "PKG-INFO"


def escaped_name(name: str) -> str:
    """The distribution name as file names spell it: ``aetherflow-core`` -> ``aetherflow_core``."""
    return re.sub(r"[-_.]+", "_", name).lower()


def read_dist(path: Path) -> DistFile | Problem:
    """A ``.whl`` or ``.tar.gz`` read, or the problem that kept it from being read."""
    try:
        if path.name.endswith(".whl"):
            return _read_wheel(path)
        return _read_sdist(path)
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, zlib.error) as error:
        return Problem(
            what=f"the built file cannot be read: {error}",
            where=path.name,
            fix="build it again; a damaged archive means the build or the disk failed",
        )


def _read_wheel(path: Path) -> DistFile:
    with zipfile.ZipFile(path) as archive:
        members = frozenset(name for name in archive.namelist() if not name.endswith("/"))
        found = [name for name in members if re.fullmatch(r"[^/]+\.dist-info/METADATA", name)]
        text = archive.read(found[0]).decode("utf-8", "replace") if len(found) == 1 else None
    return DistFile(path=path, kind="wheel", members=members, metadata=text)


def _read_sdist(path: Path) -> DistFile:
    with tarfile.open(path, "r:*") as archive:
        entries = [entry for entry in archive.getmembers() if not entry.isdir()]
        names = [PurePosixPath(entry.name.removeprefix("./")).as_posix() for entry in entries]
        tops = {name.split("/", 1)[0] for name in names}
        top = tops.pop() if len(tops) == 1 and all("/" in name for name in names) else None
        members = frozenset(name.split("/", 1)[1] if top else name for name in names)
        text = None
        if top is not None and "PKG-INFO" in members:
            stream = archive.extractfile(entries[names.index(f"{top}/PKG-INFO")])
            text = None if stream is None else stream.read().decode("utf-8", "replace")
    return DistFile(path=path, kind="sdist", members=members, metadata=text, top=top)


def project_table(package: Package) -> dict[str, Any]:
    """The ``[project]`` table of the package's ``pyproject.toml`` (empty when unreadable)."""
    try:
        data = tomllib.loads(package.pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    project = data.get("project")
    return project if isinstance(project, dict) else {}


def listed(names: Iterable[str]) -> str:
    """``names`` sorted and joined, cut after ``SHOWN`` with "and N more"."""
    ordered = sorted(names)
    shown = ", ".join(ordered[:SHOWN])
    return shown if len(ordered) <= SHOWN else f"{shown} and {len(ordered) - SHOWN} more"


def file_where(package: Package, path: Path) -> str:
    """Where a problem of a built file is: the dist and the file's name."""
    return f"{package.name}, {path.name}"


# --- file names -------------------------------------------------------------------------------


def filename_problems(package: Package, files: Sequence[Path]) -> list[Problem]:
    """Exactly one wheel and one ``.tar.gz`` sdist, named after the dist and its version."""
    wheels = [path for path in files if path.name.endswith(".whl")]
    sdists = [path for path in files if path.name.endswith(".tar.gz")]
    others = [path for path in files if path not in wheels and path not in sdists]
    problems: list[Problem] = []
    for kind, found in (("wheel (.whl)", wheels), ("sdist (.tar.gz)", sdists)):
        if len(found) != 1:
            what = f"the build produced {len(found)} {kind} files"
            what += f" ({listed(path.name for path in found)})" if found else ""
            problems.append(
                Problem(
                    what=f"{what}, not exactly one",
                    where=package.name,
                    fix=f"make `python -m build {package.folder}` write one sdist and one "
                    "wheel: check the build backend's target settings in pyproject.toml",
                )
            )
    if others:
        problems.append(
            Problem(
                what=f"the build produced files that are neither a wheel nor a .tar.gz sdist: "
                f"{listed(path.name for path in others)}",
                where=package.name,
                fix=f"drop the extra targets from the backend's settings; PyPI takes one "
                f".tar.gz sdist and wheels (see {SDIST_SPEC})",
            )
        )
    version = None if package.version is None else str(package.version)
    for path in wheels:
        stem = path.name.removesuffix(".whl").split("-")
        if len(stem) not in (5, 6):
            problems.append(_bad_name(package, path, "is not name-version-python-abi-platform"))
        else:
            problems += _name_and_version(package, path, stem[0], stem[1], version)
    for path in sdists:
        name, _, found_version = path.name.removesuffix(".tar.gz").rpartition("-")
        problems += _name_and_version(package, path, name, found_version, version)
    return problems


def _name_and_version(
    package: Package, path: Path, name: str, found_version: str, version: str | None
) -> list[Problem]:
    escaped = escaped_name(package.name)
    if name != escaped:
        why = f"starts with {name!r}, not the normalized dist name {escaped!r}"
        return [_bad_name(package, path, why)]
    if version is not None and found_version != version:
        return [
            Problem(
                what=f"the file is named for version {found_version!r}, but pyproject.toml "
                f"says {package.version_text} (normalized {version})",
                where=file_where(package, path),
                fix="make the build take its version from pyproject.toml "
                f"({package.version_source}): remove what overrides it (setup.py version=, "
                "a version plugin, an environment variable) and build again",
            )
        ]
    return []


def _bad_name(package: Package, path: Path, why: str) -> Problem:
    return Problem(
        what=f"the file name {why}",
        where=file_where(package, path),
        fix=f"build with a backend that writes normalized file names (e.g. setuptools>=69.3, "
        f"hatchling>=1.22): raise its minimum in [build-system] requires (see {WHEEL_SPEC})",
    )


def file_sha256(path: Path) -> str:
    """The sha256 of the file at ``path``, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def member_digests(path: Path) -> dict[str, str] | None:
    """Each regular file of the archive ``path`` (a wheel or an sdist) by its name in the
    archive, with the sha256 of its bytes: what two builds of one commit share, where
    their archives' own bytes differ (timestamps, order, compression). None when ``path``
    is not a readable archive: it then shares no contents with any build."""
    found: dict[str, str] = {}
    try:
        if path.name.endswith(".whl") or path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        found[info.filename] = hashlib.sha256(archive.read(info)).hexdigest()
            return found
        with tarfile.open(path, "r:*") as archive:
            for member in archive.getmembers():
                stream = archive.extractfile(member) if member.isfile() else None
                if stream is not None:
                    found[member.name] = hashlib.sha256(stream.read()).hexdigest()
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error):
        return None
    return found
