"""Release-version rules: versions of the scheme, lockstep agreement, bumps over the last
tag, the release's tags, the publish order. Pure logic: the gates pass in what git and the
files say (internal ranges: ``internal_ranges``)."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_release.checks.version_scheme import (
    SCHEME_FORMS,
    SCHEME_NAMES,
    release_triple,
    version_problem,
)
from pytest_release.problems import Problem

if TYPE_CHECKING:
    from pytest_release.settings import Settings, TagFormat
    from pytest_release.target.git import ChangesSince
    from pytest_release.target.monorepo import Monorepo, Package

# -- tags -------------------------------------------------------------------------------------


# Asked for every package by several gates, over every tag of the repository: each
# pattern and each tag's version are made once.
@functools.lru_cache(maxsize=1024)
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


def last_release(
    tags: Iterable[str], tag_format: TagFormat, name: str
) -> tuple[Version, str] | None:
    """The highest version among the tags of ``name``'s format, with its tag."""
    pattern = _tag_pattern(tag_format.of(name), name)
    released: list[tuple[Version, str]] = []
    for tag in tags:
        match = pattern.fullmatch(tag)
        version = _version(match.group("version")) if match else None
        if version is not None:
            released.append((version, tag))
    return max(released, default=None)


@functools.lru_cache(maxsize=4096)
def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def release_tag_names(
    tag_format: TagFormat, packages: Iterable[Package], release: Version
) -> list[str]:
    """The tags a release of ``packages`` (in publish order) creates: one per package that
    has tags of its own (at the package's own version), and one for the repository (at the
    release version) where packages share it."""
    names = (
        tag_format.format(
            name=p.name,
            version=(p.version or release) if tag_format.names_package(p.name) else release,
        )
        for p in packages
    )
    return list(dict.fromkeys(names))


def tag_format_problems(settings: Settings, monorepo: Monorepo) -> list[Problem]:
    """Each package ``tags`` gives a format of its own is a package of the repo."""
    known = {package.key for package in monorepo.packages}
    return [
        Problem(
            f"tags gives {name!r} the format {form!r}, but {name!r} is not a package of this "
            f"repo ({', '.join(monorepo.publish_order)})",
            settings.origin("tags"),
            "name the package by its distribution name ([project].name), or drop the entry",
        )
        for name, form in settings.tag.own
        if name not in known
    ]


def counted(count: int, noun: str) -> str:
    """``1 commit``, ``12 commits``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- the release version ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseVersion:
    version: Version | None  # None: not given and the packages do not agree on one
    problems: tuple[Problem, ...]


def _given_where(settings: Settings) -> str:
    source = settings.sources.get("release-version", "default")
    return "--release-version" if source == "command line" else source


def release_version(settings: Settings, monorepo: Monorepo) -> ReleaseVersion:
    """The version being released, and what disagrees with it (a ``tags`` entry that names
    no package included: its tags could be neither read nor made).

    lockstep: every package is at the release version (given, or else their common one).
    independent: each package has its own version; the release version is the top package's
    (the one a repository-wide tag names), and a given one must be it.
    """
    reading = _release_version(settings, monorepo)
    tag_problems = tag_format_problems(settings, monorepo)
    return ReleaseVersion(reading.version, (*reading.problems, *tag_problems))


def _release_version(settings: Settings, monorepo: Monorepo) -> ReleaseVersion:
    readable = [p for p in monorepo.packages if p.version is not None]
    if settings.release_version is not None:
        given = settings.release_version
        if reason := version_problem(given, settings.version_scheme):
            problem = Problem(
                f"the release version '{given}' {reason}",
                _given_where(settings),
                f"give the release version as {scheme_forms(settings)}",
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


def scheme_forms(settings: Settings) -> str:
    """The versions the scheme takes, as a fix names them; strict SemVer says how to take
    any version PyPI accepts."""
    forms = SCHEME_FORMS[settings.version_scheme]
    if settings.version_scheme == "semver":
        return f'{forms}; or, for any version PyPI accepts, set version-scheme = "pep440"'
    return forms


def previous_release(
    tags: Iterable[str], settings: Settings, monorepo: Monorepo
) -> tuple[Version, str] | None:
    """The last released version of the repository: of its meta package, by its tags."""
    return last_release(tags, settings.tag, monorepo.meta_package.name)


def repository_tag(settings: Settings, monorepo: Monorepo, release: Version) -> str | None:
    """The one tag that names the release of the whole repository (``v{version}``, or the
    meta package's own format without ``{name}``); None where every package is tagged by
    name."""
    name = monorepo.meta_package.name
    form = settings.tag.of(name)
    return None if "{name}" in form else form.format(version=release)


BUMP_PARTS = ("major", "minor", "patch", "rc")


def next_version(current: Version, part: str) -> Version:
    """``current`` bumped by ``part``: major, minor, patch, or rc.

    From a pre-release, the bump that reaches its final release gives it (``1.3.0rc1`` minor
    is ``1.3.0``). ``rc`` on a final release starts the next patch's first candidate
    (``1.2.3`` -> ``1.2.4rc1``), on a development release its own (``1.45.0.dev0`` ->
    ``1.45.0rc1``); on a pre-release it counts up (``rc1`` -> ``rc2``, ``b2`` -> ``rc1``).
    For the candidate of a minor or major release, give it: ``bump 1.3.0rc1``. The first
    three release parts are read, whatever the scheme (``2026.1`` patch is ``2026.1.1``).
    """
    major, minor, patch = release_triple(current)
    final = Version(f"{major}.{minor}.{patch}")
    if part == "rc":
        if current.pre is None:  # a final release, or a development release of ``final``
            base = final if current.is_devrelease else Version(f"{major}.{minor}.{patch + 1}")
            return Version(f"{base}rc1")
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


def publish_order_problems(monorepo: Monorepo) -> list[Problem]:
    """Every package it requires outright, directly or not, comes before a package in the
    publish order."""
    position = {package.name: index for index, package in enumerate(monorepo.packages)}
    return [
        Problem(
            f"comes before its dependency {dependency.name} in the publish order",
            package.name,
            "report this: the order is computed from the dependency graph",
        )
        for package in monorepo.packages
        for dependency in monorepo.reachable([package], monorepo.internal_dependencies)
        if position[dependency.name] > position[package.name]
    ]


# -- per package ------------------------------------------------------------------------------


def version_scheme_problems(package: Package, settings: Settings) -> list[Problem]:
    """The version can be read, and is a version of the ``version-scheme``."""
    if package.version_text is None and package.computed_version is not None:
        error = package.version_error or f"{package.name}'s version is computed at build time"
        return [Problem(error, package.version_source, package.computed_version.fix)]
    if package.version_text is None:
        return [
            Problem(
                "the version cannot be read: " + (package.version_error or "no version"),
                package.version_source,
                'write a static version = "X.Y.Z" in [project], or a dynamic source that '
                "can be read without building (a __version__ in a file, a VERSION file)",
            )
        ]
    reason = version_problem(package.version_text, settings.version_scheme)
    if reason is None:
        return []
    return [
        Problem(
            f"{package.name}'s version '{package.version_text}' {reason}",
            package.version_source,
            f"use {SCHEME_NAMES[settings.version_scheme]}: {scheme_forms(settings)}",
        )
    ]


def bump_problems(
    package: Package,
    tags: Iterable[str],
    settings: Settings,
    changes: ChangesSince | None = None,
    *,
    shared_last: tuple[Version, str] | None = None,
) -> list[Problem]:
    """The package's version must be above its last release (no tags yet is fine);
    ``changes``: what changed in it since that release's tag, where that is known. Under
    independent versioning, a package sharing the repository's tag is compared with
    ``shared_last``, its version at that tag (``release_scope.shared_last_release``),
    where it could be read: the tag's own version is the top package's."""
    version = package.version
    if version is None:
        return []  # version_scheme_problems says why
    if settings.versioning == "independent" and not settings.tag.names_package(package.name):
        last = shared_last
    else:
        last = last_release(tags, settings.tag, package.name)
    if last is None or version > last[0]:
        return []
    last_version, tag = last
    fix = (
        f"bump the version above {last_version} (for example to "
        f"{next_version(last_version, 'patch')}) and commit it"
    )
    if version == last_version and changes is not None and changes.files:
        count = f"{counted(changes.commits, 'commit')}, {counted(len(changes.files), 'file')}"
        return [
            Problem(
                f"{package.name} changed since {tag} ({count}), still {version}: bump it",
                package.version_source,
                fix,
            )
        ]
    relation = "equal to" if version == last_version else "below"
    return [
        Problem(
            f"{package.name} {version} is {relation} the last release {last_version} (tag {tag})",
            package.version_source,
            fix,
        )
    ]
