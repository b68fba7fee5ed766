"""Gate 3, tests: the target's own test suite is green."""

from __future__ import annotations

import pytest

from pytest_release.checks import package_suites, target_tests
from pytest_release.dists.venv import FreshVenv
from pytest_release.gate import fail_with
from pytest_release.session.activity import activity
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo, Package

pytestmark = [pytest.mark.tests]


def test_target_test_suite_is_green(
    release_settings: Settings,
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """`test-command` from the repo root: in a fresh venv with every package installed
    editable with its test extras and `test-groups` (`test-env = "fresh"`), or in this
    environment; or from each package's folder, each in a fresh venv of its own
    (`test-env = "per-package"`)."""
    cache = tmp_path_factory.mktemp("target-pytest-cache")
    if release_settings.test_env == "per-package":

        def new_venv(package: Package) -> FreshVenv:
            return FreshVenv.create(tmp_path_factory.mktemp(f"test-venv-{package.name}") / "venv")

        fail_with(
            package_suites.package_suites_problems(
                release_settings.test_command,
                monorepo,
                cache=cache,
                new_venv=new_venv,
                groups=release_settings.test_groups,
                progress=activity(request.config, "tests"),
            )
        )
        return
    fresh = release_settings.test_env == "fresh"
    venv: FreshVenv | None = request.getfixturevalue("fresh_venv") if fresh else None
    fail_with(
        target_tests.suite_problems(
            release_settings.test_command,
            monorepo,
            cache=cache,
            venv=venv,
            groups=release_settings.test_groups,
        )
    )
