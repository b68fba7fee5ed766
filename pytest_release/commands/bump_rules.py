"""What ``pytest-release bump`` computes: the next version, and internal requirement ranges
that exclude it rewritten to admit it, clause by clause, leaving the rest of the text (and
every range that already admits it) as written (pure)."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pytest_release.checks.internal_ranges import admits
from pytest_release.checks.version_scheme import SCHEME_FORMS, version_problem
from pytest_release.checks.versions import BUMP_PARTS, next_version
from pytest_release.settings import VersionScheme

_CLAUSE = re.compile(r"(?P<op>~=|===|==|!=|<=|>=|<|>)(?P<space>\s*)(?P<version>[^\s,;()]+)")


class BumpRuleError(ValueError):
    """The version or range cannot be bumped as asked; the message says why and what to do."""


def chosen_version(given: str, current: Version | None, scheme: VersionScheme) -> Version:
    """The release ``given`` as a bump part or a version, checked: a version of ``scheme``,
    and above ``current`` (when there is one)."""
    if given in BUMP_PARTS:
        if current is None:
            raise BumpRuleError(
                f"there is no current version to bump by {given!r}: give the version itself, "
                "for example `pytest-release bump 1.0.0`"
            )
        return next_version(current, given)
    if reason := version_problem(given, scheme):
        raise BumpRuleError(
            f"the version {given!r} {reason}: give one of {', '.join(BUMP_PARTS)}, or a "
            f"version written as {SCHEME_FORMS[scheme]}"
        )
    version = Version(given)
    if current is not None and version <= current:
        relation = "equal to" if version == current else "below"
        raise BumpRuleError(
            f"{version} is {relation} the current version {current}: a release must be above "
            f"it (for example {next_version(current, 'patch')} or {next_version(current, 'minor')})"
        )
    return version


def _written_like(release: tuple[int, ...], like: str) -> str:
    """``release`` with as many parts as ``like`` has (``0.3.0`` like ``0.2`` is ``0.3``),
    but never dropping a part that is not zero."""
    try:
        parts = len(Version(like.removesuffix(".*")).release)
    except InvalidVersion:
        parts = len(release)
    needed = max((i + 1 for i, part in enumerate(release) if part), default=1)
    shown = max(parts, needed)
    return ".".join(str(part) for part in (*release, 0, 0, 0)[:shown])


def _lower(version: Version, like: str) -> str:
    return str(version) if version.is_prerelease else _written_like(version.release, like)


def _next_breaking(version: Version) -> tuple[int, ...]:
    """The first version a range should exclude: the next minor on 0.y.z, else the next major."""
    if version.major == 0:
        return (0, version.minor + 1)
    return (version.major + 1,)


def _rewritten_clause(op: str, written: str, version: Version) -> tuple[str, str]:
    """One clause (operator and version) rewritten to admit ``version``, where it must
    change; else as written."""
    try:
        specifier = SpecifierSet(f"{op}{written}")
    except InvalidSpecifier:
        return op, written  # the gates report a requirement that does not parse
    if op in {">=", ">"}:  # moved also where pip would not take a pre-release from it
        return (op, written) if admits(specifier, version) else (">=", _lower(version, written))
    if specifier.contains(version, prereleases=True):
        return op, written
    if op in {"<", "<="}:
        return "<", _written_like(_next_breaking(version), written)
    if op == "==" and written.endswith(".*"):
        kept = len(Version(written[:-2]).release)
        return op, f"{'.'.join(str(p) for p in version.release[:kept])}.*"
    if op == "~=":
        return op, _lower(version, written)
    if op == "==":
        return op, str(version)
    raise BumpRuleError(f"its clause {op}{written} excludes {version} and cannot be widened")


def requirement_for(text: str, version: Version) -> str:
    """``text``, a requirement on a package released at ``version``, rewritten to admit it.

    A range that admits it is left as it is (``~= 1.3`` stays for 1.44.1); in one that does
    not, only the clauses that exclude it change: an upper bound becomes the next breaking
    version (``<0.3`` -> ``<0.4`` for 0.3.0), a pin names it. Markers, extras, spacing and
    clause order are kept. A clause that cannot be widened (``!=0.3.0``) raises
    BumpRuleError.
    """
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return text  # the gates report it, with file and line
    if requirement.url or admits(requirement.specifier, version):
        return text  # a direct reference (the versions gate says to use a range), or fine
    head_end = text.find(";") if ";" in text else len(text)
    head = text[:head_end]
    pieces: list[str] = []
    end = 0
    for match in _CLAUSE.finditer(head):
        op, written = _rewritten_clause(match["op"], match["version"], version)
        pieces += [head[end : match.start()], f"{op}{match['space']}{written}"]
        end = match.end()
    pieces.append(head[end:])
    new_head = "".join(pieces)
    specifier = Requirement(new_head + text[head_end:]).specifier
    if not admits(specifier, version):
        # No clause names the pre-release (or there is no clause): add the lower bound.
        stripped = new_head.rstrip()
        comma = "," if _CLAUSE.search(stripped) else ""
        new_head = f"{stripped}{comma}>={version}{new_head[len(stripped) :]}"
    return new_head + text[head_end:]
