"""Internal requirement ranges: each requirement on another package of the repo admits
that package's version as pip would, and asks only for extras it has (pure)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from pytest_release.problems import Problem
from pytest_release.target.pyproject import relative, where

if TYPE_CHECKING:
    from pytest_release.target.monorepo import Monorepo, Package


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
    would (a pre-release only where the range itself names a pre-release), and ask only for
    extras the package has. A requirement of an extra names the extra: that extra is what
    cannot be installed."""
    problems: list[Problem] = []
    for extra, requirement in monorepo.internal_requirements_by_extra(package):
        target = monorepo.package(requirement.name)
        version = target.version
        if (
            not requirement.url
            and not _missing(requirement, target)
            and _admitted(requirement, version)
        ):
            continue  # the common case: the file is read only to quote a problem
        text, line = _written_requirement(package.pyproject, requirement)
        place = where(relative(package.pyproject, monorepo.root), line)
        requires = f"{package.name}[{extra}] requires" if extra else f"{package.name} requires"
        if requirement.url:
            problems.append(
                Problem(
                    f"{requires} {text}, a direct reference, which PyPI refuses",
                    place,
                    f'require it by name and range: "{target.name}{_suggested_range(version)}"'
                    if version
                    else "require it by name and version range",
                )
            )
            continue
        problems += _missing_extras(requires, text, place, requirement, target)
        if version is None or admits(requirement.specifier, version):
            continue  # without a version, the target's own version check says why
        why = f"which excludes {version}"
        if version.is_prerelease and requirement.specifier.contains(version, prereleases=True):
            why += " (a pre-release is chosen only where the range names a pre-release)"
        problems.append(
            Problem(
                f"{requires} {text}, {why}",
                place,
                f'widen the range to admit {version}: "{target.name}{_suggested_range(version)}"',
            )
        )
    return problems


def _admitted(requirement: Requirement, version: Version | None) -> bool:
    """Whether the range admits the version (without one, nothing to hold it to)."""
    return version is None or admits(requirement.specifier, version)


def _missing(requirement: Requirement, target: Package) -> list[str]:
    """The extras ``requirement`` asks of ``target`` that it does not define (names compare
    normalized, as installers compare them)."""
    defined = {canonicalize_name(extra) for extra in target.optional_dependencies}
    return sorted(e for e in requirement.extras if canonicalize_name(e) not in defined)


def _missing_extras(
    requires: str, text: str, place: str, requirement: Requirement, target: Package
) -> list[Problem]:
    """A problem for each extra ``requirement`` asks of ``target`` that it does not define."""
    missing = _missing(requirement, target)
    if not missing:
        return []
    listing = ", ".join(sorted(target.optional_dependencies)) or "none"
    return [
        Problem(
            f"{requires} {text}, but {target.name} has no extra {extra!r} (its extras: "
            f"{listing}), so that part of the requirement installs nothing",
            place,
            f"ask for one of {target.name}'s extras, or give {target.name} an extra {extra!r} "
            "in its [project.optional-dependencies]",
        )
        for extra in missing
    ]
