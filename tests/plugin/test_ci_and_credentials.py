"""The preflight checks that talk to the outside world: CI on GitHub (against a fake API on
127.0.0.1) and upload credentials (environment, ~/.pypirc, keyring, trusted publishing).
No secret used here may ever show up in the output or in the JUnit file."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.plugin.baseline import assert_outcomes, assert_says
from tests.plugin.defects import CI as CI_CASE
from tests.plugin.defects import PREFLIGHT, PREFLIGHT_ONLY, run_preflight
from tests.plugin.fake_github import REMOTE_URL, FakeGitHub, serve_fake_github
from tests.plugin.gate_runs import GateRunner, assert_no_secret, junit_properties
from tests.plugin.repos import ReleaseRepo

TOKEN = "ghp_FAKE0pytestRelease0doNotPrint0123456"  # a recognisable fake GitHub token
OWN_RUN_ID = "7041998"
TESTPYPI_URL = "https://test.pypi.org/legacy/"
PYPI_URL = "https://upload.pypi.org/legacy/"
CREDENTIAL_CASES = {
    "testpypi": "test_upload_credentials_are_present[testpypi]",
    "pypi": "test_upload_credentials_are_present[pypi]",
}
PUBLIC_INDEXES = ("testpypi", "pypi")
SHARED_CASE = "test_each_index_has_credentials_of_its_own"


# --- CI: a fake GitHub API ------------------------------------------------------------------


@pytest.fixture
def github_repo(release_repo: ReleaseRepo) -> ReleaseRepo:
    """`release_repo` whose origin reads as github.com/acme/aetherflow, while git's fetches
    are rewritten (url.<remote>.insteadOf) to go to the bare remote."""
    release_repo.git("remote", "set-url", "origin", REMOTE_URL)
    release_repo.git("config", f"url.{release_repo.remote}.insteadOf", REMOTE_URL)
    return release_repo


@pytest.fixture
def fake_github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    """A fake GitHub API on 127.0.0.1, which the gates' subprocess is pointed at."""
    with serve_fake_github() as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        yield fake


def _check_run(name: str, status: str, conclusion: str | None, run_id: str = "1") -> dict[str, Any]:
    link = f"https://github.com/acme/aetherflow/actions/runs/{run_id}/job/1"
    return {
        "name": name,
        "status": status,
        "conclusion": conclusion,
        "details_url": link,
        "html_url": link,
    }


def _statuses(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"statuses": [{"context": context, "state": state} for context, state in pairs]}


def _check_runs(*runs: dict[str, Any]) -> dict[str, Any]:
    return {"total_count": len(runs), "check_runs": list(runs)}


GREEN_STATUSES = _statuses(("ci/lint", "success"))
GREEN_RUNS = _check_runs(
    _check_run("tests (3.12)", "completed", "success"),
    _check_run("docs", "completed", "skipped"),
)


@dataclass(frozen=True)
class CiScenario:
    outcome: str
    words: tuple[str, ...] = ()
    statuses: dict[str, Any] = field(default_factory=lambda: GREEN_STATUSES)
    check_runs: dict[str, Any] = field(default_factory=lambda: GREEN_RUNS)
    http_error: int | None = None
    run_id: str | None = None


CI_SCENARIOS = {
    "success": CiScenario("passed"),
    "failed-check-run": CiScenario(
        "failed",
        ("CI failed for HEAD", "tests (3.12) (failure)"),
        check_runs=_check_runs(
            _check_run("lint", "completed", "success"),
            _check_run("tests (3.12)", "completed", "failure"),
        ),
    ),
    "failed-status": CiScenario(
        "failed",
        ("CI failed for HEAD", "ci/coverage (error)"),
        statuses=_statuses(("ci/lint", "success"), ("ci/coverage", "error")),
    ),
    "check-run-in-progress": CiScenario(
        "failed",
        ("CI has not finished for HEAD", "tests (3.13) (in_progress)"),
        check_runs=_check_runs(
            _check_run("tests (3.12)", "completed", "success"),
            _check_run("tests (3.13)", "in_progress", None),
        ),
    ),
    "status-pending": CiScenario(
        "failed",
        ("CI has not finished for HEAD", "ci/docs"),
        statuses=_statuses(("ci/docs", "pending")),
    ),
    "401": CiScenario("failed", ("401 Unauthorized", "GITHUB_TOKEN"), http_error=401),
    "403": CiScenario("failed", ("403 Forbidden", "GITHUB_TOKEN"), http_error=403),
    "404": CiScenario("failed", ("404 Not Found", "GITHUB_TOKEN"), http_error=404),
    "own-workflow-run-ignored": CiScenario(
        "passed",
        check_runs=_check_runs(
            _check_run("tests (3.12)", "completed", "success"),
            _check_run("release gates", "in_progress", None, run_id=OWN_RUN_ID),
        ),
        run_id=OWN_RUN_ID,
    ),
    "another-workflow-run-counts": CiScenario(
        "failed",
        ("CI has not finished for HEAD", "release gates (in_progress)"),
        check_runs=_check_runs(
            _check_run("tests (3.12)", "completed", "success"),
            _check_run("release gates", "in_progress", None, run_id=OWN_RUN_ID + "9"),
        ),
        run_id=OWN_RUN_ID,
    ),
    "no-ci-results": CiScenario(
        "skipped",
        ("GitHub has no statuses or check runs", "--allow-unverified ci"),
        statuses=_statuses(),
        check_runs=_check_runs(),
    ),
}


@pytest.mark.parametrize("scenario", CI_SCENARIOS.values(), ids=CI_SCENARIOS.keys())
def test_ci_state_of_head_from_the_github_api(
    github_repo: ReleaseRepo,
    fake_github: FakeGitHub,
    run_gates: GateRunner,
    monkeypatch: pytest.MonkeyPatch,
    scenario: CiScenario,
) -> None:
    fake_github.answer(scenario.statuses, scenario.check_runs)
    fake_github.error_status = scenario.http_error
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    if scenario.run_id:
        monkeypatch.setenv("GITHUB_RUN_ID", scenario.run_id)

    run = run_preflight(run_gates, github_repo.root)

    assert_outcomes(run, {CI_CASE: scenario.outcome}, gates=PREFLIGHT_ONLY)
    head = github_repo.git("rev-parse", "HEAD")
    if scenario.outcome != "passed":
        assert_says(run, CI_CASE, *scenario.words, f"acme/aetherflow at {head[:12]}")
    assert fake_github.received, "the CI check did not ask the API"
    assert fake_github.commits_asked == {head}
    assert fake_github.authorizations == {f"Bearer {TOKEN}"}
    if scenario.http_error is None:
        asked = {received.path.rsplit("/", 1)[-1] for received in fake_github.received}
        assert asked == {"status", "check-runs"}
    assert_no_secret(run, TOKEN)


def test_ci_without_a_token_is_skipped(
    github_repo: ReleaseRepo, fake_github: FakeGitHub, run_gates: GateRunner
) -> None:
    fake_github.answer(GREEN_STATUSES, GREEN_RUNS)

    run = run_preflight(run_gates, github_repo.root)

    assert_outcomes(run, gates=PREFLIGHT_ONLY)  # the baseline: skipped
    assert_says(run, CI_CASE, "GITHUB_TOKEN is not set", "acme/aetherflow", "--allow-unverified ci")
    assert fake_github.received == []


def test_ci_with_the_api_unreachable_is_skipped(
    github_repo: ReleaseRepo, run_gates: GateRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nothing listens on once the socket is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)

    run = run_preflight(run_gates, github_repo.root)

    assert_outcomes(run, gates=PREFLIGHT_ONLY)  # the baseline: skipped
    assert_says(run, CI_CASE, "could not be reached", "--allow-unverified ci")
    assert_no_secret(run, TOKEN)


def test_ci_skip_is_waived_with_allow_unverified(
    github_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    run = run_preflight(run_gates, github_repo.root, "--allow-unverified", "ci")

    assert_outcomes(run, gates=PREFLIGHT_ONLY)
    assert_says(run, CI_CASE, "(waived with --allow-unverified ci)")


# --- upload credentials -----------------------------------------------------------------

KEYRING_BACKEND = '''\
"""A keyring backend for the plugin tests: passwords in the JSON file $RELEASE_TEST_KEYRING,
shaped {service: {username: password}}."""

import json
import os

from keyring.backend import KeyringBackend
from keyring.credentials import SimpleCredential
from keyring.errors import PasswordDeleteError, PasswordSetError


class JsonFileKeyring(KeyringBackend):
    priority = 1

    def _entries(self, service):
        with open(os.environ["RELEASE_TEST_KEYRING"], encoding="utf-8") as file:
            return json.load(file).get(service, {})

    def get_password(self, service, username):
        return self._entries(service).get(username)

    def get_credential(self, service, username):
        for name, password in self._entries(service).items():
            if username is None or name == username:
                return SimpleCredential(name, password)
        return None

    def set_password(self, service, username, password):
        raise PasswordSetError("read-only test keyring")

    def delete_password(self, service, username):
        raise PasswordDeleteError("read-only test keyring")
'''


def _home() -> Path:
    """The HOME the gates' subprocess sees (pytester gives it one of its own)."""
    return Path(os.environ["HOME"])


def _pypirc(*sections: tuple[str, str | None, str]) -> str:
    """~/.pypirc text for (section, repository URL or None, password)."""
    text = "[distutils]\nindex-servers =\n" + "".join(f"    {s}\n" for s, _, _ in sections)
    for section, url, password in sections:
        text += f"\n[{section}]\n"
        text += f"repository = {url}\n" if url else ""
        text += f"username = __token__\npassword = {password}\n"
    return text


def _from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    secrets = ["pypi-ENVIRONMENT0testpypi0secret", "pypi-ENVIRONMENT0pypi0secret"]
    monkeypatch.setenv("RELEASE_TESTPYPI_TOKEN", secrets[0])
    monkeypatch.setenv("RELEASE_PYPI_TOKEN", secrets[1])
    return secrets


def _from_pypirc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    secrets = ["pypi-PYPIRC0testpypi0secret", "pypi-PYPIRC0pypi0secret"]
    text = _pypirc(("testpypi", TESTPYPI_URL, secrets[0]), ("pypi", None, secrets[1]))
    (_home() / ".pypirc").write_text(text, encoding="utf-8")
    return secrets


def _from_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    secrets = ["pypi-KEYRING0testpypi0secret", "pypi-KEYRING0pypi0secret"]
    backend = tmp_path / "keyring_backend"
    backend.mkdir()
    (backend / "json_file_keyring.py").write_text(KEYRING_BACKEND, encoding="utf-8")
    passwords = tmp_path / "keyring.json"
    entries = {TESTPYPI_URL: {"__token__": secrets[0]}, PYPI_URL: {"__token__": secrets[1]}}
    passwords.write_text(json.dumps(entries), encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(backend), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "json_file_keyring.JsonFileKeyring")
    monkeypatch.setenv("RELEASE_TEST_KEYRING", str(passwords))
    return secrets


def _from_trusted_publishing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    secret = "oidc-REQUEST0TOKEN0secret"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv(
        "ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.actions.example.invalid/oidc?api=2.0"
    )
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", secret)
    return [secret]


@pytest.mark.parametrize(
    ("provide", "source"),
    [
        pytest.param(
            _from_environment,
            {
                "testpypi": "RELEASE_TESTPYPI_TOKEN in the environment",
                "pypi": "RELEASE_PYPI_TOKEN in the environment",
            },
            id="environment",
        ),
        pytest.param(
            _from_pypirc,
            {index: f"password in ~/.pypirc [{index}]" for index in PUBLIC_INDEXES},
            id="pypirc",
        ),
        pytest.param(
            _from_keyring,
            {
                "testpypi": f"keyring entry for {TESTPYPI_URL}",
                "pypi": f"keyring entry for {PYPI_URL}",
            },
            id="keyring",
        ),
        pytest.param(
            _from_trusted_publishing,
            dict.fromkeys(PUBLIC_INDEXES, "trusted publishing (GitHub Actions OIDC token)"),
            id="trusted-publishing",
        ),
    ],
)
def test_upload_credentials_are_found(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    provide: Callable[[pytest.MonkeyPatch, Path], list[str]],
    source: dict[str, str],
) -> None:
    secrets = provide(monkeypatch, tmp_path)

    run = run_gates(release_repo.root, *PREFLIGHT, indexes=PUBLIC_INDEXES)

    assert_outcomes(run, gates=PREFLIGHT_ONLY)
    properties = junit_properties(run)
    for index, case in CREDENTIAL_CASES.items():
        assert ("credentials", source[index]) in properties[case]
    assert_no_secret(run, *secrets)


def test_one_twine_password_for_two_indexes_fails_before_any_upload(
    release_repo: ReleaseRepo, run_gates: GateRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TWINE_PASSWORD serves every index: the production token would reach TestPyPI."""
    secret = "pypi-SHARED0secret0value"
    monkeypatch.setenv("TWINE_USERNAME", "__token__")
    monkeypatch.setenv("TWINE_PASSWORD", secret)

    run = run_gates(release_repo.root, *PREFLIGHT, indexes=PUBLIC_INDEXES)

    assert_outcomes(run, {SHARED_CASE: "failed"}, gates=PREFLIGHT_ONLY)
    assert_says(
        run,
        SHARED_CASE,
        f"TWINE_PASSWORD would be sent to both testpypi ({TESTPYPI_URL}) and pypi ({PYPI_URL})",
        "RELEASE_TESTPYPI_TOKEN and RELEASE_PYPI_TOKEN",
        "unset TWINE_PASSWORD",
    )
    assert_no_secret(run, secret)


def test_upload_credentials_absent_are_unverified_in_a_dry_run(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """A build job holds no secret: its dry run says what a publish run would miss."""
    run = run_gates(release_repo.root, *PREFLIGHT, indexes=PUBLIC_INDEXES)

    assert_outcomes(run, dict.fromkeys(CREDENTIAL_CASES.values(), "skipped"), gates=PREFLIGHT_ONLY)
    for index, url in (("testpypi", TESTPYPI_URL), ("pypi", PYPI_URL)):
        ways = ("TWINE_PASSWORD", "~/.pypirc", f"[{index}]", "keyring", "trusted publishing")
        assert_says(
            run,
            CREDENTIAL_CASES[index],
            "not verified",
            f"no upload credentials for {index} ({url})",
            *ways,
            "a dry run sends nothing and needs none; a publish run fails here",
        )
    assert run.result.ret == pytest.ExitCode.OK
    properties = junit_properties(run)
    assert all(
        name != "credentials" for case in CREDENTIAL_CASES.values() for name, _ in properties[case]
    )


def test_upload_credentials_for_pypi_only_leave_the_testpypi_case_unverified(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    secret = "pypi-PYPIRC0only0pypi0secret"
    (_home() / ".pypirc").write_text(_pypirc(("pypi", None, secret)), encoding="utf-8")

    run = run_gates(release_repo.root, *PREFLIGHT, indexes=PUBLIC_INDEXES)

    assert_outcomes(run, {CREDENTIAL_CASES["testpypi"]: "skipped"}, gates=PREFLIGHT_ONLY)
    assert_says(run, CREDENTIAL_CASES["testpypi"], "no upload credentials for testpypi")
    assert ("credentials", "password in ~/.pypirc [pypi]") in junit_properties(run)[
        CREDENTIAL_CASES["pypi"]
    ]
    assert_no_secret(run, secret)
