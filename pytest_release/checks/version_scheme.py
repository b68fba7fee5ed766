"""Version schemes: which versions a release may carry (``semver``: strict SemVer in PEP
440's spelling; ``pep440`` and ``calver``: any public version PyPI accepts), the first
three release parts, which the bump-size rules read under ``semver`` and ``pep440``, and
whether a scheme's versions say a bump's size at all (``calver``'s first part is a year,
not a promise about the API)."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from pytest_release.settings import VersionScheme

_STRICT = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)((a|b|rc)(0|[1-9]\d*))?")
STRICT_FORMS = "MAJOR.MINOR.PATCH, optionally followed by aN, bN or rcN (1.2.3, 1.2.3rc1)"
PEP440_FORMS = (
    "a final, pre-, post- or development release without a local part "
    "(1.2.3, 0.65b0, 1.45.0.dev0, 2026.1)"
)
CALVER_FORMS = "a public PEP 440 version whose first part is the year (26.1.0, 2026.1)"
SCHEME_FORMS: dict[VersionScheme, str] = {
    "semver": STRICT_FORMS,
    "pep440": PEP440_FORMS,
    "calver": CALVER_FORMS,
}
SCHEME_NAMES: dict[VersionScheme, str] = {
    "semver": "strict SemVer in PEP 440's spelling",
    "pep440": "a public PEP 440 version",
    "calver": "a calendar version",
}


def sizes_bumps(scheme: VersionScheme) -> bool:
    """Whether a version of ``scheme`` says how big a change it carries (major, minor,
    patch): not a calendar version, whose first part moves every year."""
    return scheme != "calver"


def semver_problem(text: str) -> str | None:
    """Why ``text`` is not strict SemVer in PEP 440's spelling, or None when it is."""
    if _STRICT.fullmatch(text):
        return None
    if text[:1] in {"v", "V"}:
        return "starts with 'v'; the version itself is written without it"
    version = _parsed(text)
    if isinstance(version, str):
        return version
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


def pep440_problem(text: str) -> str | None:
    """Why PyPI would refuse ``text`` as a release's version, or None when it takes it."""
    version = _parsed(text)
    if isinstance(version, str):
        return version
    if version.local is not None:
        return "has a local part ('+...'), which PyPI refuses"
    return None


def version_problem(text: str, scheme: VersionScheme) -> str | None:
    """Why ``text`` is no version of ``scheme``, or None when it is one."""
    return semver_problem(text) if scheme == "semver" else pep440_problem(text)


def _parsed(text: str) -> Version | str:
    try:
        return Version(text)
    except InvalidVersion:
        return "is not a PEP 440 version"


def release_triple(version: Version) -> tuple[int, int, int]:
    """The first three release parts, zeros filling in (``2026.1`` is 2026, 1, 0): what the
    bump-size rules read, whatever the scheme."""
    major, minor, patch = (*version.release, 0, 0)[:3]
    return major, minor, patch
