"""Gate 7a, rehearsal: the very files of the release uploaded to a local index, installed
from it into fresh venvs (that work starts once the builds are done, behind the gates before
this one), each top package with what it reaches in one of
its own (the internal packages from that index alone, the rest from the user's normal
index), checked to be the files uploaded, and smoke-tested from a scratch folder outside
the repo: imports, python-smoke, console scripts, smoke.

With --bundle=DIR, a last case: a dry run writes the release bundle there (the files
installed here and the manifest), a publish run checks the bundle it uploads; a publish run
from a bundle takes this gate's other cases from the bundle's manifest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from packaging.version import Version

from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.checks.release_scope import ReleaseScope
from pytest_release.dists.build import BuiltPackage
from pytest_release.dists.venv import NotAttempted
from pytest_release.gate import fail_with, skip_blocked
from pytest_release.index.local import LocalIndex
from pytest_release.index.package_index import PackageIndex
from pytest_release.problems import Problem
from pytest_release.process import CommandResult
from pytest_release.publish import bundle, rehearsal
from pytest_release.publish.bundle import BUNDLE_THROUGH, BundleReading
from pytest_release.publish.installed_release import InstalledRelease, Rehearsal
from pytest_release.publish.progress import ProvenFiles
from pytest_release.session import state
from pytest_release.session.guard import bundle_blockers
from pytest_release.settings import Settings
from pytest_release.suite import installed_release_cases as cases
from pytest_release.target.monorepo import Monorepo, Package

installed = cases.installed

pytestmark = [pytest.mark.rehearsal]


@pytest.fixture(scope="module")
def rehearsal_uploads(
    rehearsal_run: Rehearsal, proven_files: ProvenFiles
) -> Mapping[str, CommandResult | NotAttempted]:
    """Every package's wheel and sdist uploaded, once for the gate (ahead of it, behind the
    gates before); the files the index received, with their sha256, are what a publish
    run sends on."""
    proven_files.files.update(rehearsal_run.received)
    return rehearsal_run.uploads


@pytest.fixture(scope="module")
def index_under_test(rehearsal_index: LocalIndex) -> PackageIndex:
    return rehearsal_index


@pytest.fixture(scope="module")
def installed_release(
    rehearsal_uploads: Mapping[str, CommandResult | NotAttempted], rehearsal_run: Rehearsal
) -> InstalledRelease:
    """The release installed from the rehearsal index into venvs of its own."""
    return rehearsal_run.installed


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


def test_release_bundle(
    release_settings: Settings,
    release_bundle: BundleReading | None,
    release_version: Version,
    release_scope: ReleaseScope,
    monorepo: Monorepo,
    proven_files: ProvenFiles,
    pytestconfig: pytest.Config,
    request: pytest.FixtureRequest,
) -> None:
    """Only with --bundle=DIR. A dry run writes the release bundle into DIR once every gate
    up to this one passed: the files the rehearsal installed and smoke-tested, and the
    manifest. A publish run checks the bundle it is to upload, and refuses it with why."""
    folder = release_settings.bundle
    assert folder is not None  # the case is only collected with a bundle folder
    if release_bundle is not None:  # a publish run from the bundle
        fail_with(release_bundle.problems)
        detail = f"{release_bundle.describe()}: every file has the sha256 the build job proved"
    else:
        ledger = pytestconfig.stash[state.LEDGER]
        blockers = bundle_blockers(ledger, request.node.nodeid)
        if blockers:
            skip_blocked(f"no bundle written to {folder}: {'; '.join(blockers)}")
        gates = ledger.gate_outcomes(
            BUNDLE_THROUGH, request.node.nodeid, release_settings.allow_unverified
        )
        released = release_scope.released(monorepo.packages)
        written = bundle.write_from_session(
            folder, str(release_version), monorepo.root, released, proven_files, gates
        )
        if isinstance(written, Problem):
            fail_with([written])
            return
        detail = f"bundle written to {folder}: {bundle.summary(written)}"
    request.node.user_properties.append((CHECKLIST_DETAIL, detail))
