"""The SemVer rule for the public API (pure): a breaking change needs a major release (on
0.y.z a minor one, unless ``strict-zero``), an additive change at least a minor one, and a
patch release carries neither. Under either version scheme the rule reads the first three
release parts (``2026.1`` is 2026.1.0; ``1.45.0.dev0`` leads to 1.45.0)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from packaging.version import Version

from pytest_release.api.difference import ApiChange, ApiDifference, Level
from pytest_release.checks.version_scheme import release_triple
from pytest_release.checks.versions import next_version
from pytest_release.problems import Problem

if TYPE_CHECKING:
    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import Package

Bump = Literal["major", "minor", "patch"]
_ORDER: dict[Bump, int] = {"patch": 0, "minor": 1, "major": 2}


def package_release(package: Package, settings: Settings, release: Version) -> Version:
    """The version ``package`` is released at: its own under independent versioning, when
    it has tags of its own (its boundary was compared with its own last tag); else the
    release version (lockstep, or the repository-wide tag's)."""
    own = settings.versioning == "independent" and settings.tag.names_package(package.name)
    return package.version if own and package.version is not None else release


def bump_of(previous: Version, release: Version) -> Bump:
    """What kind of release ``release`` is after ``previous``, as ``pytest-release bump``
    counts: a pre-release counts as the release it leads to (2.0.0rc1 after 1.4.0 is a
    major one), and 2.0.0 after 2.0.0rc1 is the major release that rc led to."""
    final = Version(".".join(map(str, release_triple(release))))
    bigger: tuple[Bump, ...] = ("major", "minor")
    return next((bump for bump in bigger if final >= next_version(previous, bump)), "patch")


def bump_needed(level: Level, previous: Version, *, strict_zero: bool) -> Bump:
    """The smallest kind of release that may carry a change of ``level`` after ``previous``."""
    if level == "breaking":
        return "minor" if previous.major == 0 and not strict_zero else "major"
    return "minor" if level == "additive" else "patch"


def semver_problems(
    difference: ApiDifference, release: Version, previous: Version, *, strict_zero: bool
) -> list[Problem]:
    """One problem per change that ``release`` (after ``previous``) is too small a bump for."""
    level = difference.level
    needed = bump_needed(level, previous, strict_zero=strict_zero)
    made = bump_of(previous, release)
    if _ORDER[made] >= _ORDER[needed]:
        return []
    accepted = next_version(previous, needed)
    changes = difference.breaking if level == "breaking" else difference.additive
    change = "a breaking change" if level == "breaking" else "an additive change"
    rule = f"{release} is a {made} release after {previous}, and {change} needs a {needed} one"
    if level == "breaking" and previous.major == 0:
        rule += " (strict-zero is set)" if strict_zero else " (on 0.y.z)"
    return [_problem(change, difference.module, rule, accepted, needed) for change in changes]


def _problem(change: ApiChange, module: str, rule: str, accepted: Version, needed: Bump) -> Problem:
    what = f"{module}.{change.name}: {change.what}"
    if change.old:
        what += f"\n  before: {change.old}"
    if change.new:
        what += f"\n  now:    {change.new}"
    what += f"\n  {rule}"
    if change.level == "breaking":
        fix = f"release it as {accepted} (at least a {needed} bump), or keep {change.name} "
        fix += "compatible (a new parameter needs a default; re-export what moved)"
    else:
        fix = f"release it as {accepted} (at least a {needed} bump), or leave the addition "
        fix += "for the next minor release"
    return Problem(what, change.where, fix)
