"""Gate 0, preflight, against real git repositories: what the target's git state makes each
case do, what its message says (what, where, fix), and that every other case kept its
baseline outcome."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugin.baseline import assert_outcomes, assert_says
from tests.plugin.defects import CI, PREFLIGHT_ONLY, TAGS, run_preflight
from tests.plugin.gate_runs import GateRun, GateRunner
from tests.plugin.repos import ReleaseRepo, git, make_release_repo
from tests.plugin.trees import RENAMED_TAG_FORMAT, copy_example, renamed_example, single_package

TARGET = "test_target_is_a_git_work_tree"
CLEAN = "test_working_tree_is_clean"
BRANCH = "test_on_the_release_branch"
UPSTREAM = "test_up_to_date_with_the_remote"
# Where the target is not a git work tree with a commit, these are not checked at all.
NEEDS_GIT = (CLEAN, BRANCH, UPSTREAM, CI, TAGS)

EXAMPLE_PUBLISH_ORDER = "aetherflow-core 0.2.0, aetherflow-scheduler 0.2.0, aetherflow 0.2.0"


def commit_on_remote(repo: ReleaseRepo, colleague: Path) -> None:
    """A colleague pushes a commit to the remote; the target does not pull it."""
    git(colleague.parent, "clone", "-q", str(repo.remote), str(colleague))
    (colleague / "NOTES.md").write_text("pushed by a colleague\n", encoding="utf-8")
    git(colleague, "add", "NOTES.md")
    git(colleague, "commit", "-q", "-m", "A colleague's commit")
    git(colleague, "push", "-q", "origin", "main")


def commit_locally(repo: ReleaseRepo) -> None:
    repo.write("packages/aetherflow/NOTES.md", "committed here, not pushed\n")
    repo.commit_all("A local commit")


def header(run: GateRun) -> list[str]:
    """The report lines pytest prints between "collected N items" and the first test."""
    lines = run.result.stdout.lines
    start = next(i for i, line in enumerate(lines) if line.startswith("collected "))
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    return lines[start + 1 : end]


def checklist(run: GateRun) -> list[str]:
    """The lines of the final "release checklist" section of stdout."""
    lines = run.result.stdout.lines
    start = next(i for i, line in enumerate(lines) if " release checklist " in line)
    return lines[start + 1 :]


# 1 ------------------------------------------------------------------------------------------


def test_baseline_passes_all_but_the_ci_check_off_github(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    run = run_preflight(run_gates, release_repo.root)

    assert_outcomes(run, gates=PREFLIGHT_ONLY)
    assert_says(run, CI, "remote 'origin'", "is not on GitHub", "--allow-unverified ci")
    assert f"release packages, in publish order: {EXAMPLE_PUBLISH_ORDER}" in header(run)
    lines = checklist(run)
    preflight = [line for line in lines if line.split()[1:3] == ["0", "preflight"]]
    assert len(preflight) == 1, lines
    assert preflight[0].startswith("skipped "), preflight
    assert preflight[0].endswith("[9 passed, 1 skipped]"), preflight
    assert any(line.strip().startswith(f"skipped: {CI}: remote 'origin'") for line in lines)


# 2 ------------------------------------------------------------------------------------------

Change = Callable[[ReleaseRepo], None]


def no_change(repo: ReleaseRepo) -> None:
    pass


def modify(repo: ReleaseRepo) -> None:
    repo.write("packages/aetherflow-core/README.md", "edited, not committed\n")


def stage(repo: ReleaseRepo) -> None:
    repo.write("CHANGELOG.md", "edited and staged, not committed\n")
    repo.git("add", "CHANGELOG.md")


def stage_then_modify(repo: ReleaseRepo) -> None:
    stage(repo)
    repo.write("CHANGELOG.md", "edited again after staging\n")


def add_untracked(repo: ReleaseRepo) -> None:
    repo.write("packages/aetherflow/notes/todo.txt", "not added\n")


def add_ignored(repo: ReleaseRepo) -> None:
    """A build artefact: ``dist/`` is in the example's .gitignore."""
    repo.write("dist/aetherflow-0.2.0.tar.gz", "not a real sdist\n")


@pytest.mark.parametrize(
    ("change", "listed"),
    [
        pytest.param(no_change, [], id="clean"),
        pytest.param(modify, ["modified: packages/aetherflow-core/README.md"], id="modified"),
        pytest.param(stage, ["staged: CHANGELOG.md"], id="staged"),
        pytest.param(
            stage_then_modify,
            ["staged: CHANGELOG.md", "modified: CHANGELOG.md"],
            id="staged-and-modified",
        ),
        pytest.param(
            add_untracked, ["untracked: packages/aetherflow/notes/todo.txt"], id="untracked"
        ),
        pytest.param(add_ignored, [], id="ignored"),
    ],
)
def test_every_uncommitted_change_is_named_by_kind_and_path(
    release_repo: ReleaseRepo, run_gates: GateRunner, change: Change, listed: list[str]
) -> None:
    change(release_repo)

    run = run_preflight(run_gates, release_repo.root)

    if not listed:
        assert_outcomes(run, gates=PREFLIGHT_ONLY)
        return
    assert_outcomes(run, {CLEAN: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(
        run, CLEAN, str(release_repo.root), "the working tree is not clean", *listed, "git stash"
    )


# 3, 4 ---------------------------------------------------------------------------------------


def test_another_branch_fails_naming_both_branches(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """The upstream check still compares HEAD with the *release* branch's upstream
    (origin/main), not with the current branch's: `feature` has none and would fail, but
    it sits on origin/main's commit, so the check passes."""
    release_repo.git("switch", "-q", "-c", "feature")

    run = run_preflight(run_gates, release_repo.root)

    assert_outcomes(run, {BRANCH: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(
        run,
        BRANCH,
        str(release_repo.root),
        "setting `branch`",
        "on branch 'feature', but releases are made from 'main'",
        "git switch main",
    )


def test_a_detached_head_fails_naming_the_commit(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    release_repo.git("switch", "-q", "--detach", "HEAD")
    commit = release_repo.git("rev-parse", "--short", "HEAD")

    run = run_preflight(run_gates, release_repo.root)

    assert_outcomes(run, {BRANCH: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(run, BRANCH, str(release_repo.root), f"detached at {commit}", "git switch main")


# 5, 6, 7 ------------------------------------------------------------------------------------


def test_behind_the_remote_fails_with_a_fast_forward_pull(
    release_repo: ReleaseRepo, run_gates: GateRunner, tmp_path: Path
) -> None:
    commit_on_remote(release_repo, tmp_path / "colleague")

    run = run_preflight(run_gates, release_repo.root)

    assert_outcomes(run, {UPSTREAM: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(
        run,
        UPSTREAM,
        str(release_repo.root),
        "1 commit(s) behind origin/main",
        "git pull --ff-only origin main",
    )


def test_diverged_from_the_remote_fails_with_a_rebase(
    release_repo: ReleaseRepo, run_gates: GateRunner, tmp_path: Path
) -> None:
    commit_on_remote(release_repo, tmp_path / "colleague")
    commit_locally(release_repo)

    run = run_preflight(run_gates, release_repo.root)

    assert_outcomes(run, {UPSTREAM: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(
        run,
        UPSTREAM,
        str(release_repo.root),
        "HEAD and origin/main have diverged: 1 local and 1 remote commit(s)",
        "git pull --rebase origin main",
    )


def test_ahead_of_the_remote_passes(release_repo: ReleaseRepo, run_gates: GateRunner) -> None:
    """Unpushed local commits are what a release pushes; only behind or diverged fail."""
    commit_locally(release_repo)

    assert_outcomes(run_preflight(run_gates, release_repo.root), gates=PREFLIGHT_ONLY)


# 8, 9 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unset", "fix"),
    [
        pytest.param(
            ("branch", "--unset-upstream"),
            "git push --set-upstream origin main",
            id="no-upstream",
        ),
        pytest.param(
            ("remote", "remove", "origin"),
            "git remote add origin URL && git push --set-upstream origin main",
            id="no-remote",
        ),
    ],
)
def test_no_upstream_fails_saying_how_to_set_one(
    release_repo: ReleaseRepo, run_gates: GateRunner, unset: tuple[str, ...], fix: str
) -> None:
    release_repo.git(*unset)

    run = run_preflight(run_gates, release_repo.root)

    assert_outcomes(run, {UPSTREAM: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(
        run, UPSTREAM, str(release_repo.root), "branch 'main' has no upstream", f"fix: {fix}"
    )


@pytest.mark.parametrize(
    ("options", "verdict"),
    [
        pytest.param(
            (), "not verified; a publish run needs --allow-unverified upstream", id="not-waived"
        ),
        pytest.param(
            ("--allow-unverified", "upstream"),
            "waived with --allow-unverified upstream",
            id="waived",
        ),
    ],
)
def test_an_unreachable_remote_is_skipped_not_failed(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    tmp_path: Path,
    options: tuple[str, ...],
    verdict: str,
) -> None:
    missing = tmp_path / "moved-away.git"
    release_repo.git("remote", "set-url", "origin", str(missing))

    run = run_preflight(run_gates, release_repo.root, *options)

    # The remote's tags cannot be read either: neither case can be verified.
    assert_outcomes(run, {UPSTREAM: "skipped", TAGS: "skipped"}, gates=PREFLIGHT_ONLY)
    assert_says(run, TAGS, "the tags of remote 'origin' could not be read", verdict)
    assert_says(
        run,
        UPSTREAM,
        "could not fetch from remote 'origin'",
        str(missing),
        "'main' was not compared with its upstream",
        verdict,
    )


# 10, 11 -------------------------------------------------------------------------------------


def test_not_a_git_repository_fails_once_and_skips_what_needs_git(
    tmp_path: Path, run_gates: GateRunner
) -> None:
    root = copy_example(tmp_path)

    run = run_preflight(run_gates, root)

    assert_outcomes(
        run, {TARGET: "failed"} | dict.fromkeys(NEEDS_GIT, "skipped"), gates=PREFLIGHT_ONLY
    )
    assert_says(run, TARGET, str(root), "not a git work tree", "git init", "--monorepo=PATH")
    for case in NEEDS_GIT:
        assert_says(run, case, "not checked", "not a git work tree with a commit")


def test_a_repository_without_a_commit_fails_once_saying_so(
    tmp_path: Path, run_gates: GateRunner
) -> None:
    """Nothing is committed, so there is nothing to compare, list or release: one failure,
    the cases that read git history are not checked."""
    root = copy_example(tmp_path)
    git(root, "init", "-q", "-b", "main")

    run = run_preflight(run_gates, root)

    assert_outcomes(
        run, {TARGET: "failed"} | dict.fromkeys(NEEDS_GIT, "skipped"), gates=PREFLIGHT_ONLY
    )
    assert_says(run, TARGET, str(root), "no commit yet", "git commit")


# 12 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "publish_order", "setting"),
    [
        pytest.param(
            renamed_example,
            "acme-base 0.2.0, acme-jobs 0.2.0, acme 0.2.0",
            f"tag = '{RENAMED_TAG_FORMAT}'",
            id="renamed-monorepo",
        ),
        pytest.param(single_package, "tidy-notes 0.2.0", "tag = 'v{version}'", id="single-package"),
    ],
)
def test_the_baseline_holds_for_other_repositories(
    tmp_path: Path,
    run_gates: GateRunner,
    build: Callable[[Path], Path],
    publish_order: str,
    setting: str,
) -> None:
    repo = make_release_repo(build(tmp_path / "tree"), tmp_path / "work")

    run = run_preflight(run_gates, repo.root)

    assert_outcomes(run, gates=PREFLIGHT_ONLY)
    lines = header(run)
    assert lines[0] == f"release target: {repo.root}", lines
    assert f"release packages, in publish order: {publish_order}" in lines
    assert any(setting in line for line in lines if line.startswith("release settings")), lines
