"""Gate 2, changelog: a dated entry for the release, with known, non-empty sections and
migration notes when the release breaks something."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from pytest_release.checks import changelog, preflight, versions
from pytest_release.gate import fail_with, skip_blocked
from pytest_release.problems import Problem
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo

if TYPE_CHECKING:
    from pytest_release.api.source import PublicApi

pytestmark = [pytest.mark.changelog]


@pytest.fixture(scope="module")
def changelog_path(release_settings: Settings) -> Path:
    return release_settings.root / release_settings.changelog


@pytest.fixture(scope="module")
def parsed_changelog(changelog_path: Path) -> changelog.Changelog:
    if not changelog_path.is_file():
        skip_blocked("not checked: there is no changelog (see test_changelog_exists)")
    return changelog.parse_changelog(changelog_path.read_text(encoding="utf-8", errors="replace"))


@pytest.fixture(scope="module")
def release_section(
    parsed_changelog: changelog.Changelog, release_settings: Settings, release_version: Version
) -> changelog.Section:
    section = parsed_changelog.section_for(release_version)
    if section is None:
        skip_blocked(
            f"not checked: {release_settings.changelog} has no section for {release_version}"
        )
    return section


def test_changelog_exists(changelog_path: Path, release_settings: Settings) -> None:
    if changelog_path.is_file():
        return
    fail_with(
        [
            Problem(
                f"there is no changelog at {changelog_path}",
                release_settings.origin("changelog"),
                f"add {release_settings.changelog} with a section for the release, or point "
                f"`changelog` in [tool.pytest-release] of {release_settings.config_file} at it",
            )
        ]
    )


def test_changelog_has_a_section_for_the_release(
    parsed_changelog: changelog.Changelog, release_settings: Settings, release_version: Version
) -> None:
    fail_with(
        changelog.section_problems(
            parsed_changelog, release_settings.changelog, release_version, today=date.today()
        )
    )


def test_release_section_is_dated(
    release_section: changelog.Section, release_settings: Settings
) -> None:
    fail_with(
        changelog.date_problems(release_section, release_settings.changelog, today=date.today())
    )


def test_release_section_has_known_non_empty_subsections(
    release_section: changelog.Section, release_settings: Settings
) -> None:
    fail_with(changelog.subsection_problems(release_section, release_settings.changelog))


def test_breaking_release_has_migration_notes(
    release_section: changelog.Section,
    release_settings: Settings,
    release_version: Version,
    monorepo: Monorepo,
    release_tags: list[str],
    public_api_difference: PublicApi,
) -> None:
    """A major release, and one that breaks the public API (the api gate's finding), owe
    "Breaking Changes" and "Migration Notes"; the API's breaks are named there."""
    previous = versions.previous_release(release_tags, release_settings, monorepo)
    fail_with(
        changelog.breaking_problems(
            release_section,
            release_settings.changelog,
            release_version,
            previous[0] if previous else None,
            [(change.name, change.what) for change in public_api_difference.breaking],
        )
    )


def test_changelog_is_committed(
    changelog_path: Path,
    parsed_changelog: changelog.Changelog,
    release_settings: Settings,
    git_worktree: Path,
) -> None:
    fail_with(
        preflight.uncommitted_files(
            release_settings.root,
            git_worktree,
            [changelog_path],
            subject="released changelog",
            fix="commit it with the version bump and run the gates again",
        )
    )
