"""Gate 2, changelog: a dated entry for the release, with known, non-empty sections and
migration notes when the release breaks something.

One changelog for the repository, or, when the ``changelog`` setting names one per package
(``{folder}/CHANGELOG.md``), each case once per package, checking that package's version in
its own file; ``changelog = false`` leaves nothing to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from pytest_release.checks import changelog, preflight, versions
from pytest_release.checks.version_scheme import sizes_bumps
from pytest_release.gate import (
    fail_with,
    skip_blocked,
    skip_not_in_this_release,
    skip_nothing_to_check,
)
from pytest_release.problems import Problem
from pytest_release.settings import Settings
from pytest_release.target import git
from pytest_release.target.monorepo import Monorepo, Package

if TYPE_CHECKING:
    from pytest_release.api.source import PublicApi
    from pytest_release.checks.release_scope import ReleaseScope

pytestmark = [pytest.mark.changelog]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Per-package changelogs: each case runs once per package, in publish order."""
    from pytest_release.session import state
    from pytest_release.session.cases import UNREADABLE

    if "changelog_package" not in metafunc.fixturenames:
        return
    try:
        settings = state.settings_of(metafunc.config)
        model = state.monorepo_of(metafunc.config)
    except pytest.UsageError:
        return  # raised again, as a usage error, once collection is done
    if settings.changelog_per_package:
        names = list(model.publish_order) if isinstance(model, Monorepo) else [UNREADABLE]
        metafunc.parametrize("changelog_package", names, ids=names)


@pytest.fixture
def changelog_package() -> str | None:
    """The package whose changelog a case reads: none, for the repository's one changelog
    (``pytest_generate_tests`` names each package when there is one per package)."""
    return None


@dataclass(frozen=True)
class ReleaseChangelog:
    """A changelog a case checks: the file, relative to the root as the setting names it,
    and the package whose section it holds (none: the repository's)."""

    relative: str
    path: Path
    package: Package | None


@pytest.fixture
def release_changelog(
    changelog_package: str | None, release_settings: Settings, request: pytest.FixtureRequest
) -> ReleaseChangelog:
    setting = release_settings.changelog
    if setting is None:
        skip_nothing_to_check(
            f"{release_settings.origin('changelog')} is false: the release notes are kept elsewhere"
        )
    if changelog_package is None:
        return ReleaseChangelog(setting, release_settings.root / setting, None)
    monorepo: Monorepo = request.getfixturevalue("monorepo")
    scope: ReleaseScope = request.getfixturevalue("release_scope")
    package = monorepo.package(changelog_package)
    if not scope.of(package).released:
        skip_not_in_this_release(f"{package.name}: {scope.of(package).describe()}")
    relative = _package_changelog(setting, monorepo, package)
    return ReleaseChangelog(relative, release_settings.root / relative, package)


def _package_changelog(setting: str, monorepo: Monorepo, package: Package) -> str:
    folder = package.folder.relative_to(monorepo.root).as_posix()
    return changelog.changelog_file(setting, folder, package.name)


@pytest.fixture
def section_version(
    release_changelog: ReleaseChangelog, release_settings: Settings, release_version: Version
) -> Version:
    """The version whose section the changelog holds: the release's, or under independent
    versioning a package's own."""
    package = release_changelog.package
    own = package.version if package and release_settings.versioning == "independent" else None
    return own or release_version


@pytest.fixture(scope="module")
def parsed_changelogs() -> dict[Path, changelog.Changelog]:
    """Each changelog parsed once for all the cases that read it."""
    return {}


@pytest.fixture
def parsed_changelog(
    release_changelog: ReleaseChangelog, parsed_changelogs: dict[Path, changelog.Changelog]
) -> changelog.Changelog:
    if not release_changelog.path.is_file():
        skip_blocked("not checked: there is no changelog (see test_changelog_exists)")
    if release_changelog.path not in parsed_changelogs:
        parsed_changelogs[release_changelog.path] = changelog.parse_changelog(
            release_changelog.path.read_text(encoding="utf-8", errors="replace"),
            changelog.markup_of(release_changelog.relative),
        )
    return parsed_changelogs[release_changelog.path]


@pytest.fixture
def release_section(
    parsed_changelog: changelog.Changelog,
    release_changelog: ReleaseChangelog,
    section_version: Version,
) -> changelog.Section:
    section = parsed_changelog.section_for(section_version)
    if section is None:
        skip_blocked(
            f"not checked: {release_changelog.relative} has no section for {section_version}"
        )
    return section


def test_changelog_exists(release_changelog: ReleaseChangelog, release_settings: Settings) -> None:
    if release_changelog.path.is_file():
        return
    fail_with(
        [
            Problem(
                f"there is no changelog at {release_changelog.path}",
                release_settings.origin("changelog"),
                f"add {release_changelog.relative} with a section for the release, or point "
                f"`changelog` in [tool.pytest-release] of {release_settings.config_file} at it "
                "(false when the release notes are kept elsewhere)",
            )
        ]
    )


def test_changelog_has_a_section_for_the_release(
    parsed_changelog: changelog.Changelog,
    release_changelog: ReleaseChangelog,
    section_version: Version,
) -> None:
    fail_with(
        changelog.section_problems(
            parsed_changelog, release_changelog.relative, section_version, today=date.today()
        )
    )


def test_release_section_is_dated(
    release_section: changelog.Section, release_changelog: ReleaseChangelog
) -> None:
    fail_with(
        changelog.date_problems(release_section, release_changelog.relative, today=date.today())
    )


def test_release_section_has_known_non_empty_subsections(
    release_section: changelog.Section,
    release_changelog: ReleaseChangelog,
    release_settings: Settings,
) -> None:
    fail_with(
        changelog.subsection_problems(
            release_section, release_changelog.relative, release_settings.changelog_sections
        )
    )


def test_breaking_release_has_migration_notes(
    release_section: changelog.Section,
    release_changelog: ReleaseChangelog,
    section_version: Version,
    release_settings: Settings,
    monorepo: Monorepo,
    release_tags: list[str],
    request: pytest.FixtureRequest,
) -> None:
    """A major release, and one that breaks the public API (the api gate's finding), owe
    breaking changes and migration notes; the API's breaks are named there. With one
    changelog per package, each package's section owes those of its own boundary modules."""
    package = release_changelog.package
    name = (package or monorepo.meta_package).name
    previous = versions.last_release(release_tags, release_settings.tag, name)
    api: PublicApi = request.getfixturevalue("public_api_difference")
    breaks = [
        (change.name, change.what)
        for module, found in api.differences.items()
        if package is None or _owner(monorepo, module) == package
        for change in found.breaking
    ]
    fail_with(
        changelog.breaking_problems(
            release_section,
            release_changelog.relative,
            section_version,
            previous[0] if previous else None,
            breaks,
            release_settings.changelog_sections,
            sized_by_version=sizes_bumps(release_settings.version_scheme),
        )
    )


def _owner(monorepo: Monorepo, module: str) -> Package | None:
    source = monorepo.module_source(module)
    return None if source is None else source[0]


@pytest.fixture(scope="module")
def uncommitted_changelogs(
    request: pytest.FixtureRequest, release_settings: Settings, git_worktree: Path
) -> set[Path]:
    """The changelogs (the repository's, or every package's) that differ from HEAD, from one
    ``git status`` for all of them. Only per-package changelogs need the packages: the
    repository's changelog is checked even when they cannot be read."""
    setting = release_settings.changelog
    if setting is None:
        return set()
    files = {release_settings.root / setting}
    if release_settings.changelog_per_package:
        monorepo: Monorepo = request.getfixturevalue("monorepo")
        files = {
            release_settings.root / _package_changelog(setting, monorepo, package)
            for package in monorepo.packages
        }
    changed = git.changes(release_settings.root, *sorted(files))
    return {(git_worktree / change.path).resolve() for change in changed}


def test_changelog_is_committed(
    release_changelog: ReleaseChangelog,
    parsed_changelog: changelog.Changelog,
    release_settings: Settings,
    git_worktree: Path,
    uncommitted_changelogs: set[Path],
) -> None:
    if release_changelog.path.resolve() not in uncommitted_changelogs:
        return
    fail_with(
        preflight.uncommitted_files(
            release_settings.root,
            git_worktree,
            [release_changelog.path],
            subject="released changelog",
            fix="commit it with the version bump and run the gates again",
        )
    )
