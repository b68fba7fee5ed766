"""Gate 7, testpypi (publish, opt-in): the very files the rehearsal proved uploaded to the
TestPyPI index in publish order, then installed from it into fresh venvs as the rehearsal
installs them, with its guard (internal packages from that index alone) and smoke-tested.

Only with `-m publish`, and only when every gate before it passed in this session."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_release.index.package_index import PackageIndex
from pytest_release.publish import installed_release as installed_releases
from pytest_release.publish.installed_release import InstalledRelease
from pytest_release.publish.progress import after_publish_failure
from pytest_release.publish.upload import PublishStep
from pytest_release.settings import Settings
from pytest_release.suite import installed_release_cases as cases
from pytest_release.target.monorepo import Monorepo, Package

installed = cases.installed

pytestmark = [pytest.mark.testpypi, pytest.mark.publish]


@pytest.fixture(scope="module")
def index_under_test(testpypi_index: PackageIndex) -> PackageIndex:
    return testpypi_index


@pytest.fixture(scope="module")
def installed_release(
    testpypi_step: PublishStep,
    testpypi_index: PackageIndex,
    monorepo: Monorepo,
    release_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> InstalledRelease:
    """The release installed from the TestPyPI index into venvs of its own."""
    return installed_releases.install_from(
        testpypi_index,
        testpypi_step.why_incomplete(),
        monorepo,
        tmp_path_factory,
        source=testpypi_step.shown,
        install_case="test_install_from_testpypi",
        property_prefix="testpypi",
        together=release_settings.rehearsal_together,
        # The release is on TestPyPI by now: what fails here needs a new version.
        after_failure=after_publish_failure(testpypi_step.log, testpypi_step.shown),
        # A package the release leaves out is installed from where it was published.
        released=testpypi_step.packages,
    )


@pytest.fixture
def uploaded_wheel(release_package: Package, testpypi_step: PublishStep) -> Path | None:
    return testpypi_step.wheel_sent(release_package)


def test_upload_to_testpypi(
    release_package: Package,
    testpypi_step: PublishStep,
    request: pytest.FixtureRequest,
) -> None:
    testpypi_step.upload(release_package, request)


# The installed release's checks, defined once for the rehearsal and testpypi gates.
test_install_from_testpypi = cases.install_from_the_index
test_installed_from_testpypi_is_the_uploaded_wheel = cases.dist_is_the_uploaded_wheel
test_installed_from_testpypi_imports_with_the_version = cases.imports_with_the_version
test_installed_from_testpypi_console_scripts_answer_help = cases.console_scripts_answer_help
test_installed_from_testpypi_python_smoke = cases.python_smoke
test_installed_from_testpypi_smoke_command_ends_cleanly = cases.smoke_command_ends_cleanly
