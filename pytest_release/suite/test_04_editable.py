"""Gate 4, editable: every package installs editable in a fresh venv, in publish order, and
its import packages import with the right __version__."""

from __future__ import annotations

import pytest

from pytest_release.checks.installs import editable_install_problems
from pytest_release.checks.smoke import import_check
from pytest_release.dists.venv import NotAttempted
from pytest_release.gate import fail_with, skip_blocked
from pytest_release.session.fixtures import EditableInstall
from pytest_release.target.monorepo import Monorepo, Package
from pytest_release.target.pyproject import relative

pytestmark = [pytest.mark.editable]


def test_editable_install(
    release_package: Package, editable_venv: EditableInstall, monorepo: Monorepo
) -> None:
    result = editable_venv.results[release_package.name]
    if isinstance(result, NotAttempted):
        skip_blocked(f"not checked: {result.reason}")
    fail_with(editable_install_problems(release_package, result, monorepo.root))


def test_import_packages_import_with_the_version(
    release_package: Package, editable_venv: EditableInstall, monorepo: Monorepo
) -> None:
    editable_venv.skip_unless_installed(release_package)
    fail_with(
        import_check(
            editable_venv.venv,
            release_package,
            release_package.import_packages,
            cwd=editable_venv.venv.path,
            where=relative(release_package.pyproject, monorepo.root),
            installed="installed editable",
        )
    )
