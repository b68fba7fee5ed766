"""Gate 1, versions: every package bumped, versions of the version scheme (strict SemVer by
default), internal dependency ranges satisfiable, publish order from the graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_release.checks import internal_ranges, preflight, versions
from pytest_release.checks.release_scope import ReleaseScope
from pytest_release.checks.versions import ReleaseVersion
from pytest_release.gate import fail_with
from pytest_release.settings import Settings
from pytest_release.target import git
from pytest_release.target.monorepo import Monorepo, Package

pytestmark = [pytest.mark.versions]


def test_publish_order(monorepo: Monorepo, request: pytest.FixtureRequest) -> None:
    """The order later gates build, upload and tag in: dependencies first."""
    request.node.user_properties.append(("publish_order", ", ".join(monorepo.publish_order)))
    fail_with(versions.publish_order_problems(monorepo))


def test_packages_agree_on_the_release_version(release_version_reading: ReleaseVersion) -> None:
    fail_with(release_version_reading.problems)


def test_version_is_strict_semver(release_package: Package, release_settings: Settings) -> None:
    """Strict SemVer, or with ``version-scheme = "pep440"`` any version PyPI accepts (the
    case keeps its name: it is the checklist's)."""
    fail_with(versions.version_scheme_problems(release_package, release_settings))


def test_version_is_above_the_last_release(
    release_package: Package,
    release_tags: list[str],
    release_settings: Settings,
    release_scope: ReleaseScope,
) -> None:
    """Above its last tag; under independent versioning, a package at its last release and
    unchanged since is not in this release (the case skips), a changed one must be bumped."""
    scope = release_scope.of(release_package)
    fail_with(
        versions.bump_problems(
            release_package, release_tags, release_settings, scope.changes, shared_last=scope.last
        )
    )


@pytest.fixture(scope="module")
def uncommitted_version_files(monorepo: Monorepo, git_worktree: Path) -> set[Path]:
    """Every package's version files that differ from HEAD, from one ``git status`` for all
    packages (one per package would grow with the square of the packages)."""
    files = [file for package in monorepo.packages for file in package.version_files]
    return {(git_worktree / change.path).resolve() for change in git.changes(monorepo.root, *files)}


def test_version_bump_is_committed(
    release_package: Package,
    monorepo: Monorepo,
    git_worktree: Path,
    uncommitted_version_files: set[Path],
) -> None:
    """The pyproject.toml (and a dynamic version's file) equal what HEAD holds."""
    files = release_package.version_files
    uncommitted = [file for file in files if file.resolve() in uncommitted_version_files]
    if not uncommitted:
        return
    fail_with(
        preflight.uncommitted_files(
            monorepo.root,
            git_worktree,
            uncommitted,
            subject="version released",
            fix=f"commit it (git commit -am 'Release {release_package.version_text}') and run "
            "the gates again, so the release is what HEAD holds",
        )
    )


def test_internal_ranges_admit_the_release(repo_package: Package, monorepo: Monorepo) -> None:
    """Every package, in the release or not: one this release leaves out is installed beside
    it, at its current version, so its ranges must admit the released versions, and theirs
    its own."""
    fail_with(internal_ranges.range_problems(monorepo, repo_package))
