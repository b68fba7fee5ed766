"""Release-version rules: strict SemVer, lockstep agreement, bumps over the last tag,
internal dependency ranges. Pure logic: the gates pass in what git and the files say."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_release.problems import Problem
from pytest_release.target.pyproject import relative, where

if TYPE_CHECKING:
    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import Monorepo, Package

_STRICT = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)((a|b|rc)(0|[1-9]\d*))?")
STRICT_FORMS = "MAJOR.MINOR.PATCH, optionally followed by aN, bN or rcN (1.2.3, 1.2.3rc1)"


def semver_problem(text: str) -> str | None:
    """Why ``text`` is not strict SemVer in PEP 440's spelling, or None when it is."""
    if _STRICT.fullmatch(text):
        return None
    if text[:1] in {"v", "V"}:
        return "starts with 'v'; the version itself is written without it"
    try:
        version = Version(text)
    except InvalidVersion:
        return "is not a PEP 440 version"
    release_parts = len(version.release)
    reasons = [
        (version.epoch != 0, "has an epoch ('N!')"),
        (version.local is not None, "has a local part ('+...'), which PyPI refuses"),
        (version.is_postrelease, "is a post-release ('.postN')"),
        (version.is_devrelease, "is a development release ('.devN')"),
        (release_parts != 3, f"has {release_parts} release parts, not MAJOR.MINOR.PATCH"),
    ]
    for applies, reason in reasons:
        if applies:
            return reason
    return f"is not written in PEP 440's normal form: write {version}"


# -- tags -------------------------------------------------------------------------------------


def _tag_pattern(tag_format: str, name: str) -> re.Pattern[str]:
    # Any spelling of the name: Aetherflow_Core, aetherflow-core, aetherflow.core.
    parts = re.split(r"-", canonicalize_name(name))
    name_pattern = "(?i:" + "[-_.]+".join(re.escape(part) for part in parts) + ")"
    pattern = ""
    for literal, field, _, _ in string.Formatter().parse(tag_format):
        pattern += re.escape(literal)
        if field == "name":
            pattern += name_pattern
        elif field == "version":
            pattern += r"(?P<version>[0-9][^/\s]*)"
    return re.compile(pattern)


def last_release(tags: Iterable[str], tag_format: str, name: str) -> tuple[Version, str] | None:
    """The highest version among the tags of ``tag_format`` for ``name``, with its tag."""
    pattern = _tag_pattern(tag_format, name)
    released: list[tuple[Version, str]] = []
    for tag in tags:
        match = pattern.fullmatch(tag)
        if match:
            try:
                released.append((Version(match.group("version")), tag))
            except InvalidVersion:
                continue
    return max(released, default=None)


def tags_name_packages(tag_format: str) -> bool:
    return "{name}" in tag_format


def release_tag_names(tag_format: str, monorepo: Monorepo, release: Version) -> list[str]:
    """The tags a release creates: one per package in publish order when the format names
    the package (at the package's own version), else one for the repository."""
    if not tags_name_packages(tag_format):
        return [tag_format.format(version=release)]
    return [tag_format.format(name=p.name, version=p.version or release) for p in monorepo.packages]


# -- the release version ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseVersion:
    version: Version | None  # None: not given and the packages do not agree on one
    problems: tuple[Problem, ...]


def _given_where(settings: Settings) -> str:
    source = settings.sources.get("release-version", "default")
    return "--release-version" if source == "command line" else source


def release_version(settings: Settings, monorepo: Monorepo) -> ReleaseVersion:
    """The version being released, and what disagrees with it.

    lockstep: every package is at the release version (given, or else their common one).
    independent: each package has its own version; the release version is the top package's
    (the one a repository-wide tag names), and a given one must be it.
    """
    readable = [p for p in monorepo.packages if p.version is not None]
    if settings.release_version is not None:
        given = settings.release_version
        if reason := semver_problem(given):
            problem = Problem(
                f"the release version '{given}' {reason}",
                _given_where(settings),
                f"give the release version as {STRICT_FORMS}",
            )
            return ReleaseVersion(None, (problem,))
        version = Version(given)
    elif settings.versioning == "lockstep":
        found = {p.version for p in readable if p.version is not None}
        if len(found) != 1:
            listing = ", ".join(f"{p.name} {p.version_text}" for p in readable)
            problem = Problem(
                f"lockstep versioning, but the packages are not at one version: {listing}",
                str(settings.config_file),
                "set every package to the release version, or give --release-version to "
                "say which one is meant",
            )
            return ReleaseVersion(None, (problem,) if readable else ())
        return ReleaseVersion(found.pop(), ())
    else:
        # independent: the repository's release is its top package's (the meta package).
        top_versions = {p.version for p in monorepo.top_packages if p.version is not None}
        return ReleaseVersion(top_versions.pop() if len(top_versions) == 1 else None, ())
    if settings.versioning == "lockstep":
        disagreeing = [p for p in readable if p.version != version]
    else:
        tops = monorepo.top_packages
        disagreeing = [] if any(p.version == version for p in tops) else list(tops)
    problems = tuple(
        Problem(
            f"{p.name} is at {p.version_text}, but the release is {version} "
            f"({settings.versioning} versioning)",
            p.version_source,
            f'set its version to "{version}", or release {p.version_text} instead',
        )
        for p in disagreeing
    )
    return ReleaseVersion(version, problems)


def previous_release(
    tags: Iterable[str], settings: Settings, monorepo: Monorepo
) -> tuple[Version, str] | None:
    """The last released version of the repository: of its top package, by the tag format."""
    top = monorepo.top_packages[0] if monorepo.top_packages else monorepo.packages[-1]
    return last_release(tags, settings.tag, top.name)


def publish_order_problems(monorepo: Monorepo) -> list[Problem]:
    """Every internal dependency comes before its dependents in the publish order."""
    position = {package.name: index for index, package in enumerate(monorepo.packages)}
    return [
        Problem(
            f"comes before its dependency {dependency.name} in the publish order",
            package.name,
            "report this: the order is computed from the dependency graph",
        )
        for package in monorepo.packages
        for dependency in monorepo.reachable([package])
        if position[dependency.name] > position[package.name]
    ]


BUMP_PARTS = ("major", "minor", "patch", "rc")


def next_version(current: Version, part: str) -> Version:
    """``current`` bumped by ``part``: major, minor, patch, or rc.

    From a pre-release, the bump that reaches its final release gives it (``1.3.0rc1`` minor
    is ``1.3.0``). ``rc`` on a final release starts the next patch's first candidate
    (``1.2.3`` -> ``1.2.4rc1``); on a pre-release it counts up (``rc1`` -> ``rc2``, ``b2`` ->
    ``rc1``). For the candidate of a minor or major release, give it: ``bump 1.3.0rc1``.
    """
    major, minor, patch = (*current.release, 0, 0)[:3]
    final = Version(f"{major}.{minor}.{patch}")
    if part == "rc":
        if current.pre is None:
            return Version(f"{major}.{minor}.{patch + 1}rc1")
        kind, number = current.pre
        return Version(f"{final}rc{number + 1 if kind == 'rc' else 1}")
    if part not in BUMP_PARTS:
        raise ValueError(f"unknown bump {part!r}: give one of {', '.join(BUMP_PARTS)}")
    pre = current.is_prerelease
    if part == "major":
        reached = pre and minor == patch == 0
        return final if reached else Version(f"{major + 1}.0.0")
    if part == "minor":
        return final if pre and patch == 0 else Version(f"{major}.{minor + 1}.0")
    return final if pre else Version(f"{major}.{minor}.{patch + 1}")


# -- per package ------------------------------------------------------------------------------


def strict_version_problems(package: Package) -> list[Problem]:
    if package.version_text is None:
        return [
            Problem(
                "the version cannot be read: " + (package.version_error or "no version"),
                package.version_source,
                'write a static version = "X.Y.Z" in [project], or a dynamic source that '
                "can be read without building (a __version__ in a file, a VERSION file)",
            )
        ]
    reason = semver_problem(package.version_text)
    if reason is None:
        return []
    return [
        Problem(
            f"{package.name}'s version '{package.version_text}' {reason}",
            package.version_source,
            f"use strict SemVer in PEP 440's spelling: {STRICT_FORMS}",
        )
    ]


def bump_problems(package: Package, tags: Iterable[str], settings: Settings) -> list[Problem]:
    """The package's version must be above its last release (no tags yet is fine)."""
    version = package.version
    if version is None:
        return []  # strict_version_problems says why
    if settings.versioning == "independent" and not tags_name_packages(settings.tag):
        return []  # repository-wide tags name the top package only: see release_version
    last = last_release(tags, settings.tag, package.name)
    if last is None or version > last[0]:
        return []
    last_version, tag = last
    relation = "equal to" if version == last_version else "below"
    return [
        Problem(
            f"{package.name} {version} is {relation} the last release {last_version} (tag {tag})",
            package.version_source,
            f"bump the version above {last_version} (for example to "
            f"{last_version.major}.{last_version.minor}.{last_version.micro + 1}) and commit it",
        )
    ]


def _written_requirement(pyproject: Path, requirement: Requirement) -> tuple[str, int | None]:
    """The requirement as written in the file, and its line (str() would reorder it)."""
    try:
        lines = pyproject.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return str(requirement), None
    for number, line in enumerate(lines, start=1):
        for quoted in re.findall(r"\"([^\"]+)\"|'([^']+)'", line):
            text = quoted[0] or quoted[1]
            try:
                if Requirement(text) == requirement:
                    return text, number
            except InvalidRequirement:
                continue
    return str(requirement), None


def _suggested_range(version: Version) -> str:
    upper = f"{version.major}.{version.minor + 1}" if version.major == 0 else version.major + 1
    lower = version if version.is_prerelease else f"{version.major}.{version.minor}"
    return f">={lower},<{upper}"


def admits(specifier: SpecifierSet, version: Version) -> bool:
    """Whether pip would take ``version`` for ``specifier``: a pre-release only where the
    range itself names a pre-release."""
    return specifier.contains(version, prereleases=True) and (
        not version.is_prerelease or bool(specifier.prereleases)
    )


def range_problems(monorepo: Monorepo, package: Package) -> list[Problem]:
    """Every internal requirement of ``package`` must admit the version it names, as pip
    would: a pre-release only where the range itself names a pre-release."""
    problems: list[Problem] = []
    for requirement in monorepo.internal_requirements(package):
        target = monorepo.package(requirement.name)
        version = target.version
        text, line = _written_requirement(package.pyproject, requirement)
        place = where(relative(package.pyproject, monorepo.root), line)
        if requirement.url:
            problems.append(
                Problem(
                    f"{package.name} requires {text}, a direct reference, which PyPI refuses",
                    place,
                    f'require it by name and range: "{target.name}{_suggested_range(version)}"'
                    if version
                    else "require it by name and version range",
                )
            )
            continue
        if version is None:
            continue  # the target's own version check says why
        if admits(requirement.specifier, version):
            continue
        why = f"which excludes {version}"
        if version.is_prerelease and requirement.specifier.contains(version, prereleases=True):
            why += " (a pre-release is chosen only where the range names a pre-release)"
        problems.append(
            Problem(
                f"{package.name} requires {text}, {why}",
                place,
                f'widen the range to admit {version}: "{target.name}{_suggested_range(version)}"',
            )
        )
    return problems
