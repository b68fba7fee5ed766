"""The preflight's tag case: what would fail at tag time, after every file is on PyPI for
good, fails before anything is uploaded; and the tag gate, which tags a whole release only."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.plugin import test_publish
from tests.plugin.baseline import (
    EXAMPLE_PACKAGES,
    PYPI_UPLOAD_CASE,
    TAG_CASES,
    assert_outcomes,
    assert_says,
)
from tests.plugin.defects import (
    CONFIG,
    PREFLIGHT_ONLY,
    TAGS,
    commit,
    replace,
    run_preflight,
    set_config,
)
from tests.plugin.gate_runs import GateRunner
from tests.plugin.repos import VERSION, ReleaseRepo
from tests.plugin.test_publish import (
    ALL_GATES,
    PUBLISH_ORDER_FILES,
    WAIVE_CI,
    Server,
    publish,
    publish_cases,
    release_files,
    remote_tag,
)

TAG = f"v{VERSION}"
servers = test_publish.servers  # the TestPyPI and PyPI stand-ins, a fixture
PUSH_REFUSAL = "Permission to aetherflow.git denied to release-bot."


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


@pytest.mark.slow
def test_every_tag_problem_of_a_publish_run_fails_the_preflight_at_once(
    release_repo: ReleaseRepo, run_gates: GateRunner, servers: tuple[Server, Server]
) -> None:
    """A tag name git refuses (core's own format), a tag on another commit that only the
    remote has (scheduler's own), a lightweight tag on HEAD (the shared one): the preflight
    names them all, and nothing is sent anywhere."""
    testpypi, pypi = servers
    formats = '{ aetherflow-core = "core v{version}", aetherflow-scheduler = "sched-{version}" }'
    replace(release_repo, CONFIG, 'tag = "v{version}"', f'tag = "v{{version}}"\ntags = {formats}')
    commit(release_repo, "Tags of their own for core and scheduler")
    scheduler_tag = f"sched-{VERSION}"
    release_repo.git("tag", "-a", "-m", "pushed by a colleague", scheduler_tag, "HEAD~1")
    release_repo.git("push", "-q", "origin", scheduler_tag)
    release_repo.git("tag", "-d", scheduler_tag)
    release_repo.git("tag", TAG)  # lightweight
    earlier = release_repo.git("rev-parse", "HEAD~1")

    run = publish(run_gates, release_repo, testpypi.url, pypi.url, *WAIVE_CI)

    assert run.outcomes()[TAGS] == "failed", run.output
    assert_says(
        run,
        TAGS,
        f"the tag format makes 'core v{VERSION}', which is no valid git tag",
        f"tag {scheduler_tag} already exists on remote 'origin' on commit {earlier[:12]}",
        f"{TAG} is a lightweight tag on HEAD",
    )
    blocked = publish_cases("skipped")
    assert {case: run.outcomes()[case] for case in blocked} == blocked
    assert_says(run, TAG_CASES[0], "blocked, nothing sent", f"gate `preflight` failed ({TAGS})")
    assert testpypi.files_in_upload_order() == pypi.files_in_upload_order() == []
    assert remote_tag(release_repo, TAG) is None


class _RefusingGitHost(http.server.BaseHTTPRequestHandler):
    """Every request refused as GitHub refuses a push with a token that may only read."""

    def do_GET(self) -> None:
        self.send_response(403)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(f"{PUSH_REFUSAL}\n".encode())

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the refusal is the test's, not a log's."""


@contextmanager
def refusing_git_host() -> Iterator[str]:
    """The URL of a repository on a loopback git host that refuses every push (HTTP 403)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RefusingGitHost)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/aetherflow.git"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.slow
def test_a_remote_that_refuses_the_push_fails_the_preflight_of_a_publish_run(
    release_repo: ReleaseRepo, run_gates: GateRunner, servers: tuple[Server, Server]
) -> None:
    """The clone may fetch but not push (a read-only token, no credentials): a dry run,
    which pushes nothing, passes; a publish run fails the preflight, and nothing is sent."""
    testpypi, pypi = servers
    with refusing_git_host() as push_url:
        release_repo.git("config", "remote.origin.pushurl", push_url)
        assert_outcomes(run_preflight(run_gates, release_repo.root), gates=PREFLIGHT_ONLY)
        run = publish(run_gates, release_repo, testpypi.url, pypi.url, *WAIVE_CI)

    assert_outcomes(run, {TAGS: "failed", **publish_cases("skipped")}, gates=ALL_GATES)
    assert_says(
        run,
        TAGS,
        f"remote 'origin' refuses a push from this clone: remote: {PUSH_REFUSAL} (fatal: ",
        "The requested URL returned error: 403",
        "`contents: write`",
    )
    assert_says(run, TAG_CASES[0], "blocked, nothing sent", f"gate `preflight` failed ({TAGS})")
    assert testpypi.files_in_upload_order() == pypi.files_in_upload_order() == []
    assert remote_tag(release_repo, TAG) is None


@pytest.mark.slow
def test_the_tag_gate_tags_no_release_that_a_selection_left_incomplete_on_pypi(
    release_repo: ReleaseRepo, run_gates: GateRunner, servers: tuple[Server, Server]
) -> None:
    """-k leaves out the last package's upload to PyPI: every step before the tag passes,
    and the tag gate refuses to tag a release that PyPI does not hold whole."""
    testpypi, pypi = servers
    *placed, left_out = EXAMPLE_PACKAGES
    left_out_case = f"{PYPI_UPLOAD_CASE}[{left_out}]"

    run = publish(
        run_gates, release_repo, testpypi.url, pypi.url, *WAIVE_CI, "-k", f"not {left_out_case}"
    )

    outcomes = run.outcomes()
    assert left_out_case not in outcomes
    assert {case: outcomes[case] for case in TAG_CASES} == {
        TAG_CASES[0]: "failed",
        TAG_CASES[1]: "skipped",
    }, run.output
    assert [case for case, outcome in outcomes.items() if outcome == "failed"] == [TAG_CASES[0]]
    assert_says(
        run,
        TAG_CASES[0],
        f"{left_out} not placed on pypi ({pypi.url}) in this session",
        "is not tagged",
        "run the publish without -k",
    )
    assert testpypi.files_in_upload_order() == PUBLISH_ORDER_FILES
    assert pypi.files_in_upload_order() == [
        name for package in placed for name in release_files(package)
    ]
    assert release_repo.git("tag", "--list", TAG) == ""
    assert remote_tag(release_repo, TAG) is None
