"""Fixtures of the plugin tests: an isolated environment for every test, a copy of the
released example to change, and the runner of the release suite. What they are built from
lives in ``repos`` (target repositories) and ``gate_runs`` (runs of the suite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugin.gate_runs import GateRunner
from tests.plugin.repos import EXAMPLE, ReleaseRepo, copy_release_repo, make_release_repo

# Variables from the developer's or CI's environment that would change what the gates see;
# pytest-xdist's say that the session under test is a worker, which it is not.
ISOLATED_VARIABLES = (
    "TWINE_USERNAME",
    "TWINE_PASSWORD",
    "TWINE_REPOSITORY",
    "TWINE_REPOSITORY_URL",
    "GITHUB_TOKEN",
    "GITHUB_ACTIONS",
    "GITHUB_API_URL",
    "GITHUB_SERVER_URL",
    "GITHUB_RUN_ID",
    "GITHUB_STEP_SUMMARY",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "RELEASE_VERSION",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_XDIST_TESTRUNUID",
)


# Every commit of a test at one time: the build's SOURCE_DATE_EPOCH is HEAD's commit time,
# so that equal trees build equal files and tests share builds through the build cache.
COMMIT_DATE = "2026-01-01T12:00:00+00:00"


def _isolate(monkeypatch: pytest.MonkeyPatch, home: Path, cache: Path) -> None:
    """A HOME, git identity and environment of their own, with no credentials in it; the
    user's cache folder (XDG_CACHE_HOME: pytest-release's build cache, uv's and pip's) at
    ``cache``."""
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_DATE", COMMIT_DATE)
    for variable in ISOLATED_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Release Tester")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tester@example.invalid")
    # Keep the machine's keyring out of it; tests that need one configure their own.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The user's cache folder of every test of this session (of this xdist worker): the
    example's packages built by one test are reused by the next, each reused file
    checked as a fresh one is. A test about cold builds or the cache itself sets its own."""
    return tmp_path_factory.getbasetemp() / "user-cache"


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache: Path
) -> None:
    """A HOME, git identity and environment of the test's own, with no credentials in it.

    Python may write bytecode, as it does by default. The gates' own children never do
    (pytest_release.process sets PYTHONDONTWRITEBYTECODE for them), and a tree the gates
    must leave clean shows it if one did. The pytest sessions under test keep their
    assertion-rewritten bytecode of pytest_release (a plugin, so pytest rewrites it) beside
    its sources, in the ``__pycache__`` folders git ignores: where the variable is set
    around the tests, every session would otherwise rewrite the whole package again."""
    _isolate(monkeypatch, tmp_path / "home", shared_cache)
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)


@pytest.fixture(scope="session")
def released_example(tmp_path_factory: pytest.TempPathFactory) -> ReleaseRepo:
    """The bundled example at VERSION, previous release tagged, pushed to a bare remote:
    made once per session (per xdist worker) and only ever copied."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        scratch = tmp_path_factory.mktemp("released-example")
        _isolate(monkeypatch, scratch / "home", scratch / "cache")
        return make_release_repo(EXAMPLE, scratch)


@pytest.fixture
def release_repo(released_example: ReleaseRepo, tmp_path: Path) -> ReleaseRepo:
    """The bundled example at VERSION, previous release tagged, pushed to a bare remote: the
    test's own copy of ``released_example``."""
    return copy_release_repo(released_example, tmp_path / "work")


@pytest.fixture
def run_gates(pytester: pytest.Pytester) -> GateRunner:
    return GateRunner(pytester)
