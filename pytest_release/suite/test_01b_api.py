"""Gate 1b, api: the public API boundary at HEAD against the last release, and SemVer: a
breaking change needs a major release (a minor one on 0.y.z, unless strict-zero), an
additive change at least a minor one; a patch release carries neither."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pytest_release.checks import versions
from pytest_release.gate import fail_with, skip_nothing_to_check
from pytest_release.session.ledger import CHECKLIST_DETAIL
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo

if TYPE_CHECKING:
    from pytest_release.api.source import PublicApi

pytestmark = [pytest.mark.api]

NONE_CONFIGURED = "none-configured"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One case per module of ``public-api``, named by it; one that skips when none is."""
    if "boundary_module" not in metafunc.fixturenames:
        return
    from pytest_release.session import state

    try:
        modules = list(state.settings_of(metafunc.config).public_api)
    except pytest.UsageError:
        modules = []  # raised again, as a usage error, once collection is done
    metafunc.parametrize("boundary_module", modules or [NONE_CONFIGURED])


def test_public_api_change_fits_the_release(
    boundary_module: str,
    public_api_difference: PublicApi,
    release_settings: Settings,
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
) -> None:
    """The JUnit property ``api_difference`` holds every change found, breaking or not."""
    from pytest_release.api.semver import semver_problems

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
    release = versions.release_version(release_settings, monorepo).version
    previous, tag = api.previous
    if release is None:
        pytest.skip("not checked: the release version is not known (see the versions gate)")
    if release <= previous:
        pytest.skip(
            f"not checked: {release} is not above the last release {previous} ({tag}); "
            "see the versions gate"
        )
    fail_with(
        semver_problems(difference, release, previous, strict_zero=release_settings.strict_zero)
    )
