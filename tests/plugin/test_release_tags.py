"""The preflight's tag case: what would fail at tag time, after every file is on PyPI for
good, fails before anything is uploaded."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.plugin.baseline import assert_outcomes, assert_says
from tests.plugin.defects import PREFLIGHT_ONLY, TAGS, commit, run_preflight, set_config
from tests.plugin.gate_runs import GateRunner
from tests.plugin.repos import VERSION, ReleaseRepo

TAG = f"v{VERSION}"


@pytest.mark.parametrize(
    ("tag_format", "made", "why"),
    [
        pytest.param("release {version}", f"release {VERSION}", "is no valid git tag", id="space"),
        pytest.param("v{version}.lock", f"v{VERSION}.lock", "is no valid git tag", id="lock"),
        pytest.param("-{version}", f"-{VERSION}", "git would read as an option", id="leading-dash"),
    ],
)
def test_a_tag_format_git_refuses_fails(
    release_repo: ReleaseRepo, run_gates: GateRunner, tag_format: str, made: str, why: str
) -> None:
    set_config(release_repo, "tag", tag_format)
    commit(release_repo, "A tag format git refuses")

    run = run_preflight(run_gates, release_repo.root)

    assert_outcomes(run, {TAGS: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(run, TAGS, f"the tag format makes {made!r}, which {why}", "tag = ")


def _on_an_earlier_commit_here(repo: ReleaseRepo) -> str:
    repo.git("tag", "-a", "-m", "made too early", TAG, "HEAD~1")
    return "in this clone"


def _on_an_earlier_commit_of_the_remote_only(repo: ReleaseRepo) -> str:
    """Pushed from elsewhere: the preflight's fetch (without tags) would not bring it."""
    repo.git("tag", "-a", "-m", "pushed by a colleague", TAG, "HEAD~1")
    repo.git("push", "-q", "origin", TAG)
    repo.git("tag", "-d", TAG)
    return "on remote 'origin'"


@pytest.mark.parametrize(
    "place", [_on_an_earlier_commit_here, _on_an_earlier_commit_of_the_remote_only]
)
def test_the_release_tag_on_another_commit_fails(
    release_repo: ReleaseRepo, run_gates: GateRunner, place: Callable[[ReleaseRepo], str]
) -> None:
    where = place(release_repo)
    earlier = release_repo.git("rev-parse", "HEAD~1")

    run = run_preflight(run_gates, release_repo.root)

    assert_outcomes(run, {TAGS: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(
        run,
        TAGS,
        f"tag {TAG} already exists {where} on commit {earlier[:12]}, not on HEAD",
        f"git push REMOTE :refs/tags/{TAG}",
    )


def test_a_lightweight_release_tag_on_head_fails(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """`git tag vX && git push --tags`, made to trigger a release workflow."""
    release_repo.git("tag", TAG)

    run = run_preflight(run_gates, release_repo.root)

    assert_outcomes(run, {TAGS: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(run, TAGS, f"{TAG} is a lightweight tag on HEAD", f"git tag -d {TAG}", "git tag -a")


def test_an_annotated_release_tag_on_head_passes(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """A resumed release: the tag gate keeps the tag it made."""
    release_repo.git("tag", "-a", "-m", "the release", TAG)
    release_repo.git("push", "-q", "origin", TAG)

    assert_outcomes(run_preflight(run_gates, release_repo.root), gates=PREFLIGHT_ONLY)
