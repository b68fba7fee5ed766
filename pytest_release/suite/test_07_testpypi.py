"""Gate 7, testpypi (publish, opt-in): the very files the rehearsal proved uploaded to the
TestPyPI index in publish order, then installed from it into a fresh venv with the
rehearsal's guard (internal packages from that index alone) and smoke-tested.

Only with `-m publish`, and only when every gate before it passed in this session."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from pytest_release.dists.build import BuiltPackage
from pytest_release.index.local import PackageIndex
from pytest_release.publish import installed_release
from pytest_release.publish.installed_release import InstalledRelease, Probe
from pytest_release.publish.progress import PublishLog, after_publish_failure
from pytest_release.publish.upload import PublishStep
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo, Package

pytestmark = [pytest.mark.testpypi, pytest.mark.publish]


@pytest.fixture(scope="module")
def testpypi_step(
    testpypi_index: PackageIndex,
    monorepo: Monorepo,
    publish_log: PublishLog,
    kept_release_files: Path | None,
) -> PublishStep:
    return PublishStep("testpypi", testpypi_index, monorepo, publish_log, kept_release_files)


@pytest.fixture(scope="module")
def from_testpypi(
    testpypi_step: PublishStep,
    testpypi_index: PackageIndex,
    monorepo: Monorepo,
    tmp_path_factory: pytest.TempPathFactory,
) -> InstalledRelease:
    """The release installed from the TestPyPI index into a venv of its own."""
    return installed_release.install_from(
        testpypi_index,
        testpypi_step.why_incomplete(),
        monorepo,
        tmp_path_factory,
        source=testpypi_step.shown,
        install_case="test_install_from_testpypi",
        property_prefix="testpypi",
        # The release is on TestPyPI by now: what fails here needs a new version.
        after_failure=after_publish_failure(testpypi_step.log, testpypi_step.shown),
    )


@pytest.fixture(scope="module")
def installed(from_testpypi: InstalledRelease, monorepo: Monorepo) -> Probe:
    return installed_release.probe(from_testpypi, monorepo)


def test_upload_to_testpypi(
    release_package: Package,
    testpypi_step: PublishStep,
    built_dists: Mapping[str, BuiltPackage],
    request: pytest.FixtureRequest,
) -> None:
    testpypi_step.upload(release_package, built_dists[release_package.name], request)


def test_install_from_testpypi(from_testpypi: InstalledRelease, monorepo: Monorepo) -> None:
    installed_release.check_install(from_testpypi, monorepo)


def test_installed_from_testpypi_is_the_uploaded_wheel(
    release_package: Package,
    from_testpypi: InstalledRelease,
    installed: Probe,
    testpypi_index: PackageIndex,
    testpypi_step: PublishStep,
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
) -> None:
    wheel = testpypi_step.wheel_sent(release_package)
    installed_release.check_installed_wheel(
        release_package, from_testpypi, installed, testpypi_index, wheel, monorepo, request
    )


def test_installed_from_testpypi_imports_with_the_version(
    release_package: Package,
    from_testpypi: InstalledRelease,
    release_settings: Settings,
    monorepo: Monorepo,
) -> None:
    installed_release.check_imports(release_package, from_testpypi, release_settings, monorepo)


def test_installed_from_testpypi_console_scripts_answer_help(
    release_package: Package, from_testpypi: InstalledRelease, monorepo: Monorepo
) -> None:
    installed_release.check_console_scripts(release_package, from_testpypi, monorepo)


def test_installed_from_testpypi_python_smoke(
    from_testpypi: InstalledRelease, release_settings: Settings, monorepo: Monorepo
) -> None:
    installed_release.check_python_smoke(from_testpypi, release_settings, monorepo)


def test_installed_from_testpypi_smoke_command_ends_cleanly(
    smoke_command: str | None,
    from_testpypi: InstalledRelease,
    release_settings: Settings,
    monorepo: Monorepo,
    tmp_path: Path,
) -> None:
    installed_release.check_smoke_command(
        smoke_command, from_testpypi, release_settings, monorepo, tmp_path
    )
