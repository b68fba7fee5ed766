"""Gate 1b, api: the public API boundary at HEAD against the last release, and SemVer: a
breaking change needs a major release (a minor one on 0.y.z, unless strict-zero), an
additive change at least a minor one; a patch release carries neither."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from pytest_release.api.semver import semver_problems
from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.gate import fail_with, skip_blocked, skip_nothing_to_check
from pytest_release.settings import Settings

if TYPE_CHECKING:
    from pytest_release.api.source import PublicApi

pytestmark = [pytest.mark.api]


def test_public_api_change_fits_the_release(
    boundary_module: str,
    public_api_difference: PublicApi,
    release_settings: Settings,
    release_version: Version,
    request: pytest.FixtureRequest,
) -> None:
    """The JUnit property ``api_difference`` holds every change found, breaking or not."""
    api = public_api_difference
    if api.not_compared is not None or api.previous is None:
        # No boundary named, or a first release: no claim left unverified.
        skip_nothing_to_check(str(api.not_compared))
    fail_with(api.problems.get(boundary_module, ()))
    difference = api.differences[boundary_module]
    request.node.user_properties += [
        ("api_difference", difference.report()),
        (CHECKLIST_DETAIL, difference.summary()),
    ]
    previous, tag = api.previous
    if release_version <= previous:
        skip_blocked(
            f"not checked: {release_version} is not above the last release {previous} ({tag}); "
            "see the versions gate"
        )
    fail_with(
        semver_problems(
            difference, release_version, previous, strict_zero=release_settings.strict_zero
        )
    )
