"""What a built wheel's METADATA or an sdist's PKG-INFO says, against pyproject.toml (pure).

The name, the version, and the requirements and extras compared as ``packaging``
requirements: a backend may spell a specifier, a marker or the ``extra == "x"`` clause its
own way and still say the same. Every difference is a ``Problem``. Nothing here builds, runs
a child process or imports pytest.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from packaging.markers import InvalidMarker, Marker
from packaging.metadata import parse_email
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_release.dists.files import file_where, listed
from pytest_release.problems import Problem

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Sequence

    from pytest_release.dists.files import DistFile
    from pytest_release.target.monorepo import Package

_EXTRA_CLAUSE = re.compile(r'extra == "(?P<extra>[^"]*)"|"(?P<reversed>[^"]*)" == extra')


def metadata_problems(
    package: Package, dist: DistFile, dynamic: Collection[str] = ()
) -> list[Problem]:
    """Name, version and requirements (extras included) in ``dist``'s metadata vs pyproject.

    ``dynamic`` is ``[project].dynamic``: fields listed there have no value in pyproject.toml
    to compare with; so are fields an sdist's PKG-INFO marks ``Dynamic``.
    """
    where = f"{file_where(package, dist.path)} {dist.metadata_name}"
    if dist.metadata is None:
        return [
            Problem(
                what=f"the {dist.kind} has no {dist.metadata_name}",
                where=file_where(package, dist.path),
                fix="build it with a PEP 517 backend that writes core metadata "
                "(see https://packaging.python.org/en/latest/specifications/core-metadata/)",
            )
        ]
    raw, _ = parse_email(dist.metadata)
    problems: list[Problem] = []
    fix = (
        f"the build backend ({package.build_backend}) must write what [project] declares: "
        "make it read [project] (poetry-core < 2 reads [tool.poetry] instead), remove what "
        "changes the metadata behind its back (setup.py arguments, a metadata hook), or list "
        "the field in [project].dynamic if it is generated on purpose"
    )
    name = raw.get("name", "")
    if canonicalize_name(name) != package.key:
        what = f"names the dist {name!r}, but pyproject.toml names it {package.name!r}"
        problems.append(Problem(what, where, fix))
    try:
        version = Version(raw.get("version", ""))
    except InvalidVersion:
        version = None
    if package.version is not None and version != package.version:
        what = f"carries version {raw.get('version')!r}, but pyproject.toml says "
        what += f"{package.version_text} ({package.version_source})"
        problems.append(Problem(what, where, fix))
    marked = {field.lower() for field in raw.get("dynamic", [])}
    if "dependencies" not in dynamic and "requires-dist" not in marked:
        problems += _requirement_problems(package, raw.get("requires_dist", []), where, fix)
    if "optional-dependencies" not in dynamic and "provides-extra" not in marked:
        found = {canonicalize_name(extra) for extra in raw.get("provides_extra", [])}
        declared = {canonicalize_name(extra) for extra in package.optional_dependencies}
        for extras, what in (
            (declared - found, "lacks the extras {} that pyproject.toml declares"),
            (found - declared, "provides extras {} that pyproject.toml does not declare"),
        ):
            if extras:
                problems.append(Problem(what.format(listed(extras)), where, fix))
    return problems


def _requirement_problems(
    package: Package, requires_dist: Sequence[str], where: str, fix: str
) -> list[Problem]:
    expected = {requirement_key(req): str(req) for req in package.dependencies}
    for extra, requirements in package.optional_dependencies.items():
        for req in requirements:
            expected[requirement_key(req, extra)] = f"{req} (extra {extra!r})"
    found: dict[tuple[str, str | None, str | None], str] = {}
    problems: list[Problem] = []
    for text in requires_dist:
        try:
            found[metadata_requirement_key(Requirement(text))] = text
        except (InvalidRequirement, InvalidMarker) as error:
            what = f"has an invalid Requires-Dist {text!r}: {error}"
            problems.append(Problem(what, where, fix))
    missing = [expected[key] for key in expected.keys() - found.keys()]
    unexpected = [found[key] for key in found.keys() - expected.keys()]
    if missing:
        what = f"lacks requirements that pyproject.toml declares: {listed(missing)}"
        problems.append(Problem(what, where, fix))
    if unexpected:
        what = f"declares requirements that pyproject.toml does not: {listed(unexpected)}"
        problems.append(Problem(what, where, fix))
    return problems


def requirement_key(
    requirement: Requirement, extra: str | None = None
) -> tuple[str, str | None, str | None]:
    """A pyproject requirement, in ``extra`` when given, as comparable text:
    (name, extras, specifiers and URL), its marker, its extra."""
    marker = None if requirement.marker is None else _normal_marker(str(requirement.marker))
    return _base(requirement), marker, None if extra is None else canonicalize_name(extra)


def metadata_requirement_key(requirement: Requirement) -> tuple[str, str | None, str | None]:
    """A ``Requires-Dist`` as ``requirement_key`` spells it: the ``extra == "x"`` clause that
    backends add to the marker (before or after it), split off into the extra."""
    if requirement.marker is None:
        return _base(requirement), None, None
    text = _unwrap(str(requirement.marker))
    clauses = _split(text, " and ") if len(_split(text, " or ")) == 1 else [text]
    extras = [match for clause in clauses if (match := _EXTRA_CLAUSE.fullmatch(_unwrap(clause)))]
    if len(extras) != 1:
        return _base(requirement), _normal_marker(text), None
    rest = [clause for clause in clauses if not _EXTRA_CLAUSE.fullmatch(_unwrap(clause))]
    marker = _normal_marker(" and ".join(rest)) if rest else None
    extra = extras[0].group("extra") or extras[0].group("reversed")
    return _base(requirement), marker, canonicalize_name(extra)


def _base(requirement: Requirement) -> str:
    extras = ",".join(sorted(canonicalize_name(extra) for extra in requirement.extras))
    text = canonicalize_name(requirement.name) + (f"[{extras}]" if extras else "")
    return f"{text} @ {requirement.url}" if requirement.url else text + str(requirement.specifier)


def _normal_marker(text: str) -> str:
    """``text`` without parentheses around all of it, as packaging writes markers."""
    return str(Marker(_unwrap(text)))


def _depths(text: str) -> Iterator[tuple[int, int]]:
    """Each index of ``text`` outside quoted values, with the parenthesis depth there."""
    depth, quote = 0, ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
            continue
        quote = char if char in "\"'" else ""
        yield index, depth
        depth += (char == "(") - (char == ")")


def _unwrap(text: str) -> str:
    """``text`` without the parentheses around all of it: ``((a or b))`` -> ``a or b``."""
    text = text.strip()
    while text[:1] == "(" and text[-1:] == ")" and all(d for i, d in _depths(text) if i):
        text = text[1:-1].strip()
    return text


def _split(text: str, word: str) -> list[str]:
    """``text`` cut at each ``word`` (" and ", " or ") outside parentheses and quotes."""
    cuts = [i for i, depth in _depths(text) if depth == 0 and text.startswith(word, i)]
    starts, ends = [0, *(cut + len(word) for cut in cuts)], [*cuts, len(text)]
    return [text[start:end] for start, end in zip(starts, ends, strict=True)]
