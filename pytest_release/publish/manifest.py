"""The release bundle's manifest (``manifest.json``): what a build job proved, as data.

It names the release version, the commit, the packages in publish order with each file's
name, size and sha256, and every gate's outcome in the session that wrote it (each case's
outcome, its skip kind and any waiver). It is read back strictly: a manifest that does not
parse, or lacks a field, or holds one of the wrong type, is refused as a whole, never taken
in part. No pytest here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar, cast, get_args

from pytest_release.checklist import Outcome

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
_OUTCOMES: tuple[str, ...] = get_args(Outcome)
T = TypeVar("T")


class ManifestError(ValueError):
    """Why a manifest's text is not a manifest this version of pytest-release reads."""


@dataclass(frozen=True)
class BundleFile:
    name: str  # the file name, as the index gets it
    size: int
    sha256: str


@dataclass(frozen=True)
class BundlePackage:
    name: str  # the dist name
    files: tuple[BundleFile, ...]  # its wheel, then its sdist


@dataclass(frozen=True)
class CaseOutcome:
    """One gate case's outcome in the session that wrote the bundle."""

    case: str  # its name with its parameters, without its module
    outcome: Outcome
    skip: str | None = None  # for a skip, its kind (SkipKind's value); None: no kind
    check: str | None = None  # for an unverified skip, the check
    waived: bool = False  # the unverified check was waived with --allow-unverified
    reason: str = ""  # the first line of a skip


@dataclass(frozen=True)
class GateOutcome:
    gate: str
    status: Outcome
    cases: tuple[CaseOutcome, ...]


@dataclass(frozen=True)
class Manifest:
    version: str
    commit: str
    packages: tuple[BundlePackage, ...]  # in publish order
    gates: tuple[GateOutcome, ...]  # in checklist order
    format: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    def gate(self, name: str) -> GateOutcome | None:
        return next((gate for gate in self.gates if gate.gate == name), None)


def parse_manifest(text: str) -> Manifest:
    """The manifest ``text`` holds; ManifestError says what is wrong with it."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ManifestError(f"it is not JSON ({error})") from None
    top = _table(data, "the manifest")
    found = _field(top, "format", int, "the manifest")
    if found != FORMAT_VERSION:
        raise ManifestError(
            f"its format is {found!r}; this pytest-release reads format {FORMAT_VERSION}"
        )
    return Manifest(
        version=_field(top, "version", str, "the manifest"),
        commit=_field(top, "commit", str, "the manifest"),
        packages=tuple(_package(each) for each in _list(top, "packages", "the manifest")),
        gates=tuple(_gate(each) for each in _list(top, "gates", "the manifest")),
    )


def _package(data: object) -> BundlePackage:
    table = _table(data, "a package")
    name = _field(table, "name", str, "a package")
    where = f"package {name}"
    return BundlePackage(name, tuple(_file(each, where) for each in _list(table, "files", where)))


def _file(data: object, where: str) -> BundleFile:
    table = _table(data, f"a file of {where}")
    name = _field(table, "name", str, f"a file of {where}")
    size = _field(table, "size", int, f"{name} of {where}")
    return BundleFile(name, size, _field(table, "sha256", str, f"{name} of {where}"))


def _gate(data: object) -> GateOutcome:
    table = _table(data, "a gate")
    name = _field(table, "gate", str, "a gate")
    where = f"gate {name}"
    cases = tuple(_case(each, where) for each in _list(table, "cases", where))
    return GateOutcome(name, _outcome(table, "status", where), cases)


def _case(data: object, where: str) -> CaseOutcome:
    table = _table(data, f"a case of {where}")
    case = _field(table, "case", str, f"a case of {where}")
    at = f"{case} of {where}"
    return CaseOutcome(
        case=case,
        outcome=_outcome(table, "outcome", at),
        skip=_optional(table, "skip", at),
        check=_optional(table, "check", at),
        waived=_field(table, "waived", bool, at),
        reason=_field(table, "reason", str, at),
    )


def _table(data: object, what: str) -> Mapping[str, object]:
    if not isinstance(data, dict):
        raise ManifestError(f"{what} is not a JSON object")
    return cast("Mapping[str, object]", data)


def _list(table: Mapping[str, object], key: str, where: str) -> Sequence[object]:
    value = table.get(key)
    if not isinstance(value, list):
        raise ManifestError(f"{where} has no list `{key}`")
    return value


def _field(table: Mapping[str, object], key: str, kind: type[T], where: str) -> T:
    value = table.get(key)
    # bool is an int to Python: a size or format of `true` is not a number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ManifestError(f"{where} has no {kind.__name__} `{key}`")
    return value


def _optional(table: Mapping[str, object], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ManifestError(f"{where} has a `{key}` that is neither a string nor null")
    return value


def _outcome(table: Mapping[str, object], key: str, where: str) -> Outcome:
    value = table.get(key)
    if value not in _OUTCOMES:
        raise ManifestError(f"{where} has no `{key}` among {', '.join(_OUTCOMES)}")
    return cast("Outcome", value)
