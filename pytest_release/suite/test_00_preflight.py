"""Gate 0, preflight: clean tree, release branch, up to date with the remote, CI green for
HEAD, upload credentials present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_release.checks import preflight, release_tags
from pytest_release.gate import fail_with, skip_unneeded_in_a_dry_run, skip_unverified
from pytest_release.settings import Settings
from pytest_release.target import git
from pytest_release.target.monorepo import Monorepo, MonorepoError, reading_problems

pytestmark = [pytest.mark.preflight]


def test_target_is_a_git_work_tree(release_settings: Settings) -> None:
    fail_with(preflight.git_work_tree_problems(release_settings.root))


def test_packages_can_be_read(target_reading: Monorepo | MonorepoError) -> None:
    """Every pyproject.toml parses, every package has a [project], the graph has no cycle."""
    fail_with(reading_problems(target_reading))


def test_working_tree_is_clean(git_worktree: Path, release_settings: Settings) -> None:
    fail_with(preflight.uncommitted_changes(release_settings.root))


def test_on_the_release_branch(git_worktree: Path, release_settings: Settings) -> None:
    fail_with(preflight.branch_problems(release_settings.root, release_settings))


def test_up_to_date_with_the_remote(git_worktree: Path, release_settings: Settings) -> None:
    try:
        fail_with(preflight.upstream_problems(release_settings.root, release_settings))
    except preflight.Unverified as unverified:
        skip_unverified(release_settings, unverified.check, unverified.reason)


def test_ci_is_green_for_head(git_worktree: Path, release_settings: Settings) -> None:
    try:
        fail_with(preflight.ci_problems(release_settings.root, release_settings, os.environ))
    except preflight.Unverified as unverified:
        skip_unverified(release_settings, unverified.check, unverified.reason)


@pytest.mark.parametrize("index", ["testpypi", "pypi"])
def test_upload_credentials_are_present(
    release_settings: Settings, index: str, publish_run: bool, request: pytest.FixtureRequest
) -> None:
    """Where twine would find them; a dry run (a build job holds no secret) only says that
    it found none."""
    problems, source = preflight.credential_problems(release_settings, index, os.environ)
    if source:  # where, never what: JUnit shows which source twine will use
        request.node.user_properties.append(("credentials", source))
    if problems and not publish_run:
        skip_unneeded_in_a_dry_run("credentials", problems)
    fail_with(problems)


def test_each_index_has_credentials_of_its_own(release_settings: Settings) -> None:
    """One password configured for two hosts would carry the production token to the
    staging index: each index needs its own."""
    fail_with(preflight.shared_credential_problems(release_settings, os.environ))


def test_release_tags_can_be_made_and_pushed(
    git_worktree: Path,
    release_settings: Settings,
    release_tag_names: list[str],
    publish_run: bool,
) -> None:
    """What could fail at tag time, after the uploads, fails here: a tag name git refuses,
    a tag of the release on another commit (here or on the remote), a lightweight one on
    HEAD, and in a publish run a remote that would refuse the push."""
    root = release_settings.root
    upstream = git.upstream_of(root, release_settings.branch)
    remote = upstream[0] if upstream and upstream[0] != "." else None
    invalid = release_tags.invalid_tag_names(root, release_tag_names)
    problems = release_tags.tag_name_problems(invalid, release_settings)
    valid = [tag for tag in release_tag_names if tag not in invalid]
    try:
        problems += release_tags.existing_tag_problems(
            root, valid, remote, check_push=publish_run and not problems
        )
    except preflight.Unverified as unverified:
        fail_with(problems)  # what is known to be wrong, before what could not be checked
        skip_unverified(release_settings, unverified.check, unverified.reason)
    fail_with(problems)
