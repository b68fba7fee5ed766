"""The GitHub release after the tag gate, in publish runs of the example on GitHub: two real
pypiservers on 127.0.0.1 stand in for TestPyPI and PyPI, a bare git remote (behind the
github.com URL of the remote) receives the tags, and a fake GitHub REST API on 127.0.0.1
answers the CI check and keeps the releases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_release.checklist import GATES
from tests.plugin.baseline import assert_outcomes, assert_says
from tests.plugin.defects import CHANGELOG, CI, CONFIG, RELEASE_HEADING, commit, replace
from tests.plugin.fake_github import REPOSITORY, FakeGitHub, on_github, serve_fake_github
from tests.plugin.gate_runs import GateRunner, assert_no_secret
from tests.plugin.repos import ReleaseRepo
from tests.plugin.test_publish import (  # noqa: F401 (servers: the fixture)
    PUBLISH_ORDER_FILES,
    SECRET,
    TAG,
    Server,
    publish,
    servers,
)

pytestmark = [pytest.mark.slow]

CASE = "test_github_release_with_the_changelog_notes"
TOKEN = "ghp_FAKE0releaseStep0doNotPrint0246813"  # a recognisable fake GitHub token
BEFORE_IT = tuple(gate.name for gate in GATES if gate.name != "github-release")
GREEN = {"state": "success", "statuses": [{"context": "ci/tests", "state": "success"}]}
RELEASES = f"/repos/{REPOSITORY}/releases"


@pytest.fixture
def fake_github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    """A fake GitHub API on 127.0.0.1, HEAD's CI green, which the gates are pointed at."""
    with serve_fake_github() as fake:
        fake.answer(GREEN)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        yield fake


def test_the_release_of_the_tag_is_made_once_with_the_changelog_notes_and_files(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    servers: tuple[Server, Server],  # noqa: F811 (the fixture imported above)
    fake_github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Published and tagged with a token GitHub rejects: the step fails, saying what is
    live where. Then the same command with a good one (the release made), and again (found
    as it is: nothing made twice). Without a token or off GitHub it has nothing to do:
    tests/unit/test_github_release.py, and every other publish run of the plugin tests."""
    testpypi, pypi = servers
    replace(
        release_repo, CONFIG, 'branch = "main"\n', 'branch = "main"\ngithub-release-files = true\n'
    )
    commit(release_repo, "Attach the release's files to its GitHub release")
    repo = on_github(release_repo)

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    fake_github.release_error_status = 401
    rejected = publish(run_gates, repo, testpypi.url, pypi.url)

    assert_outcomes(rejected, {CI: "passed"}, gates=BEFORE_IT, extra={CASE: "failed"})
    assert_says(
        rejected,
        CASE,
        f"the GitHub release of {TAG} was not made: GitHub rejected the token",
        "HTTP 401 Unauthorized: Bad credentials",
        f"Live now: on testpypi ({testpypi.url}): {PUBLISH_ORDER_FILES[0]}",
        f"pushed {TAG}",
        "re-run `pytest ",
        f"https://github.com/{REPOSITORY}/releases/new?tag={TAG}",
    )
    assert fake_github.release_requests == [f"GET {RELEASES}/tags/{TAG}"]
    assert_no_secret(rejected, TOKEN, SECRET)

    fake_github.release_error_status = None
    made = publish(run_gates, repo, testpypi.url, pypi.url)

    assert_outcomes(made, {CI: "passed"}, gates=BEFORE_IT, extra={CASE: "passed"})
    release = fake_github.releases[TAG]
    changelog = (repo.root / CHANGELOG).read_text(encoding="utf-8")
    section = changelog.split(f"{RELEASE_HEADING}\n\n")[1].split("\n\n## [")[0]
    assert (release["name"], release["body"], release["prerelease"]) == (TAG, section, False)
    assert fake_github.attached == {
        f"{TAG}/{name}": (pypi.index.packages_dir / name).read_bytes()
        for name in PUBLISH_ORDER_FILES
    }
    page = f"https://github.com/{REPOSITORY}/releases/tag/{TAG}"
    assert f"release {TAG} created: {page}; attached {', '.join(PUBLISH_ORDER_FILES)}" in (
        made.output
    )
    assert fake_github.authorizations == {f"Bearer {TOKEN}"}
    assert_no_secret(made, TOKEN, SECRET)

    asked = len(fake_github.release_requests)
    again = publish(run_gates, repo, testpypi.url, pypi.url)

    assert_outcomes(again, {CI: "passed"}, gates=BEFORE_IT, extra={CASE: "passed"})
    assert fake_github.release_requests[asked:] == [f"GET {RELEASES}/tags/{TAG}"]
    assert list(fake_github.releases) == [TAG]
    assert f"release {TAG} unchanged: {page}; already attached" in again.output
