"""The pytest hooks of pytest-release: wiring only; the gate session lives in
``pytest_release.session``.

The plugin loads in every pytest session of an environment where it is installed, so
until gate items are collected it reads nothing and prints nothing: the modules that read
a target (packaging, tomllib, git, HTTP) are imported inside the hooks and fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_release.checklist import UNVERIFIABLE_CHECKS

pytest_plugins = ["pytest_release.session.fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("release", "pytest-release (release checklist gates)")
    group.addoption(
        "--monorepo",
        dest="release_monorepo",
        metavar="PATH",
        help="root of the repository to release (default: the rootdir). "
        "Write --monorepo=PATH so pytest does not take PATH as a test path.",
    )
    group.addoption(
        "--release-version",
        dest="release_version",
        metavar="X.Y.Z",
        help="the version being released (default: $RELEASE_VERSION, else the packages' "
        "common version). Not --version: pytest answers that itself.",
    )
    group.addoption(
        "--testpypi",
        dest="release_testpypi",
        metavar="NAME|URL|local",
        help="the index a publish run uploads to first: a ~/.pypirc repository, an upload "
        "URL, or 'local' "
        "(default: [tool.pytest-release] testpypi, else 'testpypi')",
    )
    group.addoption(
        "--pypi",
        dest="release_pypi",
        metavar="NAME|URL|local",
        help="the production index (default: [tool.pytest-release] pypi, else 'pypi')",
    )
    group.addoption(
        "--bundle",
        dest="release_bundle",
        metavar="DIR",
        help="a dry run writes the release bundle (the files the rehearsal proved and their "
        "manifest) into DIR; a publish run uploads the bundle in DIR instead of building "
        "(default: $RELEASE_BUNDLE). Write --bundle=DIR.",
    )
    group.addoption(
        "--no-build-cache",
        dest="release_build_cache",
        action="store_false",
        default=None,
        help="build every package afresh instead of reusing verified files from the build "
        "cache (default: [tool.pytest-release] build-cache, else true)",
    )
    group.addoption(
        "--allow-unverified",
        dest="release_allow_unverified",
        action="append",
        default=[],
        metavar="CHECK",
        help="waive a check that could not be verified (repeatable): "
        + ", ".join(UNVERIFIABLE_CHECKS),
    )


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    from pytest_release.session.gate_session import GateSession

    # Registered last, so that its collection wrapper is outermost and its ordering comes
    # after pytest-randomly's shuffle and --ff/--lf (cacheprovider's wrappers).
    config.pluginmanager.register(GateSession(config), "release-gate-session")


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> None:
    """The gate markers exist only for a session that collects the suite: a project's own
    unregistered ``@pytest.mark.api`` still meets ``--strict-markers`` elsewhere."""
    from pytest_release.session.markers import register_gate_markers, uses_the_suite

    if uses_the_suite(module_path):
        register_gate_markers(parent.config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A gate case runs once per package (in publish order), per smoke command, or per
    module of the public API boundary, by the fixtures it asks for."""
    from pytest_release.session.cases import parametrize_cases

    parametrize_cases(metafunc)
