"""Gate 8, pypi (publish, opt-in): the very files TestPyPI holds (asked again as each is
sent) uploaded to the production index in the same order, each then verified to be there
with their sha256.

Only with `-m publish`, and only when every gate before it, testpypi included, passed in
this session."""

from __future__ import annotations

import pytest

from pytest_release.publish.upload import PublishStep
from pytest_release.target.monorepo import Package

pytestmark = [pytest.mark.pypi, pytest.mark.publish]


def test_upload_to_pypi(
    release_package: Package,
    pypi_step: PublishStep,
    request: pytest.FixtureRequest,
) -> None:
    pypi_step.upload(release_package, request)
