"""The cases that check a release installed from an index, defined once for the rehearsal
(7a) and the testpypi gate (7): each gate module binds them to test names of its own
(``test_installed_python_smoke = cases.python_smoke``), so that pytest collects
them there, and supplies three module fixtures: ``installed_release`` (the release
installed from its index), ``index_under_test`` (that index) and ``uploaded_wheel`` (the
wheel of a package that went to that index).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_release.index.package_index import PackageIndex
from pytest_release.publish import installed_release as checks
from pytest_release.publish.installed_release import InstalledRelease, Probe
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo, Package


@pytest.fixture(scope="module")
def installed(installed_release: InstalledRelease, monorepo: Monorepo) -> Probe:
    return checks.probe(installed_release, monorepo)


def install_from_the_index(installed_release: InstalledRelease) -> None:
    checks.check_install(installed_release)


def dist_is_the_uploaded_wheel(
    release_package: Package,
    installed_release: InstalledRelease,
    installed: Probe,
    index_under_test: PackageIndex,
    uploaded_wheel: Path | None,
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
) -> None:
    checks.check_installed_wheel(
        release_package,
        installed_release,
        installed,
        index_under_test,
        uploaded_wheel,
        monorepo,
        request,
    )


def imports_with_the_version(
    release_package: Package,
    installed_release: InstalledRelease,
    release_settings: Settings,
    monorepo: Monorepo,
) -> None:
    checks.check_imports(release_package, installed_release, release_settings, monorepo)


def console_scripts_answer_help(
    release_package: Package, installed_release: InstalledRelease, monorepo: Monorepo
) -> None:
    checks.check_console_scripts(release_package, installed_release, monorepo)


def python_smoke(
    installed_release: InstalledRelease, release_settings: Settings, monorepo: Monorepo
) -> None:
    checks.check_python_smoke(installed_release, release_settings, monorepo)


def smoke_command_ends_cleanly(
    smoke_command: str | None,
    installed_release: InstalledRelease,
    release_settings: Settings,
    monorepo: Monorepo,
    tmp_path: Path,
) -> None:
    checks.check_smoke_command(
        smoke_command, installed_release, release_settings, monorepo, tmp_path
    )
