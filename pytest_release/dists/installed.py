"""What the rehearsal installed, checked against what it uploaded (pure but for the probe):
the RECORD of each installed dist compared with the RECORD inside the uploaded wheel, its
version with the release's, and the index's sha256 of the wheel with the built file's.
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_release.dists.files import file_sha256
from pytest_release.problems import Problem

if TYPE_CHECKING:
    from pytest_release.dists.venv import FreshVenv
    from pytest_release.index.names import IndexFile
    from pytest_release.process import CommandResult
    from pytest_release.target.monorepo import Package

# Files an installer adds to a dist-info folder, which the wheel does not hold.
INSTALLER_FILES = frozenset({"INSTALLER", "REQUESTED", "direct_url.json", "uv_cache.json"})
SHOWN = 8  # file names listed in one problem before "and N more"

# Runs in the venv: one JSON line per installed dist of the names given (normalized).
INSTALLED_PROBE = """
import importlib.metadata, json, re, sys
wanted = set(sys.argv[1:])
for dist in importlib.metadata.distributions():
    key = re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower()
    if key in wanted:
        print(json.dumps({"key": key, "version": dist.version,
            "record": dist.read_text("RECORD"), "direct_url": dist.read_text("direct_url.json")}))
"""


def parse_record(text: str) -> dict[str, str]:
    """A RECORD file (CSV: path, hash, size) as path -> hash ("" for a file without one)."""
    rows = csv.reader(text.splitlines())
    return {row[0]: row[1] if len(row) > 1 else "" for row in rows if row and row[0]}


def wheel_record(wheel: Path) -> dict[str, str]:
    """The RECORD inside ``wheel``, parsed; ValueError when it has not exactly one."""
    with zipfile.ZipFile(wheel) as archive:
        found = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/RECORD", n)]
        if len(found) != 1:
            raise ValueError(f"{wheel.name} holds {len(found)} dist-info RECORD files, not one")
        return parse_record(archive.read(found[0]).decode("utf-8"))


@dataclass(frozen=True)
class RecordDifferences:
    missing: tuple[str, ...]  # in the wheel, not installed
    changed: tuple[str, ...]  # installed with other content than the wheel's
    extra: tuple[str, ...]  # installed, not in the wheel (nor added by the installer)

    def __bool__(self) -> bool:
        return bool(self.missing or self.changed or self.extra)

    def describe(self) -> str:
        parts = [
            f"{label}: {_listed(paths)}"
            for label, paths in (
                ("missing from the install", self.missing),
                ("installed with other content", self.changed),
                ("installed but not in the wheel", self.extra),
            )
            if paths
        ]
        return "; ".join(parts)


def record_differences(wheel: Mapping[str, str], installed: Mapping[str, str]) -> RecordDifferences:
    """Compare the wheel's RECORD with the installed one. A file under ``.data/purelib`` or
    ``.data/platlib`` is installed at its path below that; other ``.data`` files (scripts,
    headers, data) are rewritten or placed outside site-packages and are not compared, nor
    are what installers add: bytecode, the files they write into the dist-info folder, and
    anything outside site-packages (``../``, the console scripts)."""
    expected: dict[str, str] = {}
    for path, digest in wheel.items():
        if not digest:
            continue  # RECORD itself, and its signatures
        top, _, rest = path.partition("/")
        if top.endswith(".data"):
            scheme, _, below = rest.partition("/")
            if scheme in ("purelib", "platlib"):
                expected[below] = digest
            continue
        expected[path] = digest
    missing = tuple(sorted(path for path in expected if path not in installed))
    changed = tuple(
        sorted(path for path, digest in expected.items() if installed.get(path, digest) != digest)
    )
    extra = tuple(
        sorted(
            path
            for path in installed
            if path not in expected and path not in wheel and not _added_by_installer(path)
        )
    )
    return RecordDifferences(missing, changed, extra)


def _added_by_installer(path: str) -> bool:
    parts = path.split("/")
    return (
        parts[0] == ".."
        or "__pycache__" in parts
        or (len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] in INSTALLER_FILES)
    )


def _listed(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:SHOWN])
    return shown + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")


@dataclass(frozen=True)
class InstalledDist:
    key: str  # the normalized dist name
    version: str
    record: Mapping[str, str]
    direct_url: str | None  # direct_url.json: installed from a URL or a folder, not an index


def probe_installed(
    venv: FreshVenv, names: Iterable[str], cwd: Path
) -> dict[str, InstalledDist] | CommandResult:
    """The installed dists of ``names`` in ``venv``, by normalized name; the probe's result
    when it failed."""
    keys = sorted({canonicalize_name(name) for name in names})
    result = venv.python(INSTALLED_PROBE, *keys, cwd=cwd)
    if not result.ok:
        return result
    found: dict[str, InstalledDist] = {}
    for line in result.output.splitlines():
        if line.startswith('{"key"'):
            data = json.loads(line)
            record = parse_record(data["record"] or "")
            found[data["key"]] = InstalledDist(
                data["key"], data["version"], record, data["direct_url"]
            )
    return found


def _same_version(installed: str, package: Package) -> bool:
    try:
        return Version(installed) == package.version
    except InvalidVersion:
        return False


def index_problems(package: Package, wheel: Path, listed: Sequence[IndexFile]) -> list[Problem]:
    """The index must list the uploaded wheel with the sha256 of the file built."""
    entry = next((each for each in listed if each.filename == wheel.name), None)
    if entry is None:
        names = ", ".join(each.filename for each in listed) or "no file"
        return [
            Problem(
                f"the rehearsal index does not list the uploaded {wheel.name}; it lists {names}",
                package.name,
                "see the upload case of this package: the upload did not land",
            )
        ]
    built = file_sha256(wheel)
    if entry.sha256 == built:
        return []
    return [
        Problem(
            f"the rehearsal index serves {wheel.name} with sha256 "
            f"{entry.sha256 or '(none listed)'}, but the built file's sha256 is {built}",
            package.name,
            "the index holds another file of that name: run the gates again, which start "
            "an empty index",
        )
    ]


def installed_problems(
    package: Package, installed: InstalledDist | None, wheel: Path, targets: Sequence[str]
) -> list[Problem]:
    """The installed dist must be the package at its version, installed from an index, with
    the files of the uploaded ``wheel``; ``targets`` are the requirements installed."""
    where = f"{package.name}, {wheel.name}"
    elsewhere = (
        "make sure no other source offers it ahead of the local index: a find-links folder "
        "(UV_FIND_LINKS) is searched as part of every index"
    )
    if installed is None:
        return [
            Problem(
                f"{package.name} is not installed: `install {' '.join(targets)}` from the "
                "rehearsal index did not bring it in",
                where,
                f"require {package.name} in [project] dependencies of the packages that use it",
            )
        ]
    if installed.direct_url is not None:
        return [
            Problem(
                f"{package.name} was installed from a direct URL or folder, not from the "
                f"index: {installed.direct_url.strip()}",
                where,
                elsewhere,
            )
        ]
    if not _same_version(installed.version, package):
        return [
            Problem(
                f"{package.name} {installed.version} was installed, not the release's "
                f"{package.version_text}: it did not come from the rehearsal index",
                where,
                elsewhere,
            )
        ]
    try:
        differences = record_differences(wheel_record(wheel), installed.record)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        return [
            Problem(f"the RECORD of {wheel.name} cannot be read: {error}", where, "build again")
        ]
    if not differences:
        return []
    return [
        Problem(
            f"the files installed for {package.name} are not those of the uploaded "
            f"{wheel.name}: {differences.describe()}",
            where,
            elsewhere,
        )
    ]
