"""Gate 7a, rehearsal: the very files of the release uploaded to a local index in publish
order, installed from it into fresh venvs, each top package with what it reaches in one of
its own (the internal packages from that index alone, the rest from the user's normal
index), checked to be the files uploaded, and smoke-tested from a scratch folder outside
the repo: imports, python-smoke, console scripts, smoke."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from pytest_release.dists.build import BuiltPackage
from pytest_release.dists.venv import NotAttempted
from pytest_release.gate import fail_with, skip_blocked
from pytest_release.index.local import LocalIndex
from pytest_release.index.package_index import PackageIndex
from pytest_release.process import CommandResult
from pytest_release.publish import installed_release as installed_releases
from pytest_release.publish import rehearsal
from pytest_release.publish.installed_release import InstalledRelease
from pytest_release.settings import Settings
from pytest_release.suite import installed_release_cases as cases
from pytest_release.target.monorepo import Monorepo, Package

installed = cases.installed

pytestmark = [pytest.mark.rehearsal]


@pytest.fixture(scope="module")
def rehearsal_uploads(
    rehearsal_index: LocalIndex, monorepo: Monorepo, built_dists: Mapping[str, BuiltPackage]
) -> Mapping[str, CommandResult | NotAttempted]:
    """Every package's wheel and sdist uploaded in publish order, once for the gate."""
    return rehearsal.upload_in_order(rehearsal_index, monorepo, built_dists)


@pytest.fixture(scope="module")
def index_under_test(rehearsal_index: LocalIndex) -> PackageIndex:
    return rehearsal_index


@pytest.fixture(scope="module")
def installed_release(
    rehearsal_uploads: Mapping[str, CommandResult | NotAttempted],
    rehearsal_index: LocalIndex,
    monorepo: Monorepo,
    release_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> InstalledRelease:
    """The release installed from the rehearsal index into venvs of its own."""
    return installed_releases.install_from(
        rehearsal_index,
        rehearsal.why_not_all_uploaded(rehearsal_uploads),
        monorepo,
        tmp_path_factory,
        source="the rehearsal index",
        install_case="test_install_from_the_rehearsal_index",
        property_prefix="rehearsal",
        together=release_settings.rehearsal_together,
    )


@pytest.fixture
def uploaded_wheel(
    release_package: Package, built_dists: Mapping[str, BuiltPackage]
) -> Path | None:
    return built_dists[release_package.name].wheel


def test_upload_to_the_rehearsal_index(
    release_package: Package,
    rehearsal_uploads: Mapping[str, CommandResult | NotAttempted],
    built_dists: Mapping[str, BuiltPackage],
) -> None:
    result = rehearsal_uploads[release_package.name]
    if isinstance(result, NotAttempted):
        skip_blocked(f"not uploaded: {result.reason}")
    fail_with(rehearsal.upload_problems(release_package, result, built_dists[release_package.name]))


# The installed release's checks, defined once for the rehearsal and testpypi gates.
test_install_from_the_rehearsal_index = cases.install_from_the_index
test_installed_dist_is_the_uploaded_wheel = cases.dist_is_the_uploaded_wheel
test_installed_import_packages_import_with_the_version = cases.imports_with_the_version
test_installed_console_scripts_answer_help = cases.console_scripts_answer_help
test_installed_python_smoke = cases.python_smoke
test_installed_smoke_command_ends_cleanly = cases.smoke_command_ends_cleanly
