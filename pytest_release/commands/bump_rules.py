"""What ``pytest-release bump`` computes: the next version, and internal requirement ranges
rewritten to admit it, clause by clause, leaving the rest of the text as written (pure)."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pytest_release.checks.versions import (
    BUMP_PARTS,
    STRICT_FORMS,
    admits,
    next_version,
    semver_problem,
)

_CLAUSE = re.compile(r"(?P<op>~=|===|==|!=|<=|>=|<|>)\s*(?P<version>[^\s,;()]+)")


class BumpRuleError(ValueError):
    """The version or range cannot be bumped as asked; the message says why and what to do."""


def chosen_version(given: str, current: Version | None) -> Version:
    """The release ``given`` as a bump part or a version, checked: strict SemVer, and above
    ``current`` (when there is one)."""
    if given in BUMP_PARTS:
        if current is None:
            raise BumpRuleError(
                f"there is no current version to bump by {given!r}: give the version itself, "
                "for example `pytest-release bump 1.0.0`"
            )
        return next_version(current, given)
    if reason := semver_problem(given):
        raise BumpRuleError(
            f"the version {given!r} {reason}: give one of {', '.join(BUMP_PARTS)}, or a "
            f"version written as {STRICT_FORMS}"
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


def _rewritten_clause(op: str, written: str, version: Version, move_lower: bool) -> str:
    """One clause, rewritten when it must change for ``version``; else as written."""
    clause = f"{op}{written}"
    try:
        specifier = SpecifierSet(clause)
    except InvalidSpecifier:
        return clause  # the gates report a requirement that does not parse
    if op in {">=", ">"}:  # moved also where pip would not take a pre-release from it
        keep = admits(specifier, version) and not move_lower
        return clause if keep else f">={_lower(version, written)}"
    if specifier.contains(version, prereleases=True) and not (move_lower and op in {"==", "~="}):
        return clause
    if op in {"<", "<="}:
        return f"<{_written_like(_next_breaking(version), written)}"
    if op == "==" and written.endswith(".*"):
        kept = len(Version(written[:-2]).release)
        return f"=={'.'.join(str(p) for p in version.release[:kept])}.*"
    if op in {"==", "~="}:
        return f"{op}{_lower(version, written)}" if op == "~=" else f"=={version}"
    raise BumpRuleError(f"its clause {clause} excludes {version} and cannot be widened")


def requirement_for(text: str, version: Version, *, move_lower: bool) -> str:
    """``text``, a requirement on a package released at ``version``, rewritten to admit it.

    ``move_lower``: raise the lower bound to ``version`` (a package released with it);
    otherwise only what excludes ``version`` changes. An upper bound that excludes it becomes
    the next breaking version (``<0.3`` -> ``<0.4`` for 0.3.0). Markers, extras, spacing and
    clause order are kept. A clause that cannot be widened (``!=0.3.0``) raises BumpRuleError.
    """
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return text  # the gates report it, with file and line
    if requirement.url:
        return text  # a direct reference: the versions gate says to use a range
    head_end = text.find(";") if ";" in text else len(text)
    head = text[:head_end]
    pieces: list[str] = []
    end = 0
    for match in _CLAUSE.finditer(head):
        new = _rewritten_clause(match["op"], match["version"], version, move_lower)
        pieces += [head[end : match.start()], new if new != match[0].replace(" ", "") else match[0]]
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
