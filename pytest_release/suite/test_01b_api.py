"""Gate 1b, api: each boundary module at HEAD against the last release of the package that
ships it, and SemVer: a breaking change needs a major release (a minor one on 0.y.z, unless
strict-zero), an additive change at least a minor one; a patch release carries neither."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from pytest_release.api.semver import package_release, semver_problems
from pytest_release.api.source import NotCompared, Unreadable
from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.checks.version_scheme import sizes_bumps
from pytest_release.gate import (
    fail_with,
    skip_blocked,
    skip_not_in_this_release,
    skip_nothing_to_check,
)
from pytest_release.settings import Settings

if TYPE_CHECKING:
    from pytest_release.api.source import PublicApi
    from pytest_release.checks.release_scope import ReleaseScope
    from pytest_release.target.monorepo import Monorepo

pytestmark = [pytest.mark.api]


def test_public_api_change_fits_the_release(
    boundary_module: str,
    public_api_difference: PublicApi,
    release_settings: Settings,
    release_version: Version,
    monorepo: Monorepo,
    release_scope: ReleaseScope,
    request: pytest.FixtureRequest,
) -> None:
    """The JUnit property ``api_difference`` holds every change found, breaking or not."""
    api = public_api_difference
    if api.not_compared is not None:
        skip_nothing_to_check(api.not_compared)  # no boundary named
    boundary = api.boundaries[boundary_module]
    if isinstance(boundary, NotCompared):
        skip_nothing_to_check(boundary.reason)  # a first release: no claim left unverified
    if isinstance(boundary, Unreadable):
        fail_with(boundary.problems)
        return
    difference = boundary.difference
    request.node.user_properties += [
        ("api_difference", difference.report()),
        (CHECKLIST_DETAIL, difference.summary()),
    ]
    package = monorepo.package(boundary.package)
    place = release_scope.of(package)
    if not place.released:
        skip_not_in_this_release(f"{package.name}: {place.describe()}")
    release = package_release(package, release_settings, release_version)
    previous, tag = boundary.previous
    if release <= previous:
        skip_blocked(
            f"not checked: {release} is not above the last release {previous} ({tag}) of "
            f"{package.name}; see the versions gate"
        )
    if not sizes_bumps(release_settings.version_scheme):
        # A calendar version promises nothing by its size: the changelog gate holds the
        # release to list the breaks (with migration notes) instead.
        return
    fail_with(
        semver_problems(difference, release, previous, strict_zero=release_settings.strict_zero)
    )
