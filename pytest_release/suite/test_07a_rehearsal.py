"""Gate 7a, rehearsal: the very files of the release uploaded to a local index in publish
order, installed from it into a fresh venv (the internal packages from that index alone,
the rest from the user's normal index), checked to be the files uploaded, and smoke-tested
from a scratch folder outside the repo: imports, python-smoke, console scripts, smoke."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from pytest_release.dists.build import BuiltPackage
from pytest_release.dists.venv import CommandResult, NotAttempted
from pytest_release.gate import fail_with
from pytest_release.index.local import LocalIndex
from pytest_release.problems import Problem
from pytest_release.publish import installed_release, rehearsal
from pytest_release.publish.installed_release import InstalledRelease, Probe
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo, Package

pytestmark = [pytest.mark.rehearsal]


@pytest.fixture(scope="module")
def rehearsal_uploads(
    rehearsal_index: LocalIndex, monorepo: Monorepo, built_dists: Mapping[str, BuiltPackage]
) -> Mapping[str, CommandResult | NotAttempted]:
    """Every package's wheel and sdist uploaded in publish order, once for the gate."""
    return rehearsal.upload_in_order(rehearsal_index, monorepo, built_dists)


@pytest.fixture(scope="module")
def rehearsed(
    rehearsal_uploads: Mapping[str, CommandResult | NotAttempted],
    rehearsal_index: LocalIndex,
    monorepo: Monorepo,
    tmp_path_factory: pytest.TempPathFactory,
) -> InstalledRelease:
    """The release installed from the rehearsal index into a venv of its own."""
    failed = next(((n, r) for n, r in rehearsal_uploads.items() if not r.ok), None)
    not_uploaded = None
    if failed is not None:
        name, result = failed
        why = result.reason if isinstance(result, NotAttempted) else "its upload failed"
        not_uploaded = f"{name} was not uploaded: {why}"
    return installed_release.install_from(
        rehearsal_index,
        not_uploaded,
        monorepo,
        tmp_path_factory,
        source="the rehearsal index",
        install_case="test_install_from_the_rehearsal_index",
        property_prefix="rehearsal",
    )


@pytest.fixture(scope="module")
def installed(rehearsed: InstalledRelease, monorepo: Monorepo) -> Probe:
    return installed_release.probe(rehearsed, monorepo)


def test_upload_to_the_rehearsal_index(
    release_package: Package,
    rehearsal_uploads: Mapping[str, CommandResult | NotAttempted],
    built_dists: Mapping[str, BuiltPackage],
) -> None:
    result = rehearsal_uploads[release_package.name]
    if isinstance(result, NotAttempted):
        pytest.skip(f"not uploaded: {result.reason}")
    built = built_dists[release_package.name]
    files = ", ".join(path.name for path in (built.wheel, built.sdist) if path is not None)
    fail_with(
        []
        if result.ok
        else [
            Problem(
                f"`twine upload` of {files} to the rehearsal index failed: "
                f"{result.describe()}\n{result.tail()}",
                release_package.name,
                "fix what twine names above (most often metadata the index refuses: see "
                "`twine check` in the build gate)",
            )
        ]
    )


def test_install_from_the_rehearsal_index(rehearsed: InstalledRelease, monorepo: Monorepo) -> None:
    installed_release.check_install(rehearsed, monorepo)


def test_installed_dist_is_the_uploaded_wheel(
    release_package: Package,
    rehearsed: InstalledRelease,
    installed: Probe,
    rehearsal_index: LocalIndex,
    built_dists: Mapping[str, BuiltPackage],
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
) -> None:
    wheel = built_dists[release_package.name].wheel
    installed_release.check_installed_wheel(
        release_package, rehearsed, installed, rehearsal_index, wheel, monorepo, request
    )


def test_installed_import_packages_import_with_the_version(
    release_package: Package,
    rehearsed: InstalledRelease,
    release_settings: Settings,
    monorepo: Monorepo,
) -> None:
    installed_release.check_imports(release_package, rehearsed, release_settings, monorepo)


def test_installed_console_scripts_answer_help(
    release_package: Package, rehearsed: InstalledRelease, monorepo: Monorepo
) -> None:
    installed_release.check_console_scripts(release_package, rehearsed, monorepo)


def test_installed_python_smoke(
    rehearsed: InstalledRelease, release_settings: Settings, monorepo: Monorepo
) -> None:
    installed_release.check_python_smoke(rehearsed, release_settings, monorepo)


def test_installed_smoke_command_ends_cleanly(
    smoke_command: str | None,
    rehearsed: InstalledRelease,
    release_settings: Settings,
    monorepo: Monorepo,
    tmp_path: Path,
) -> None:
    installed_release.check_smoke_command(
        smoke_command, rehearsed, release_settings, monorepo, tmp_path
    )
