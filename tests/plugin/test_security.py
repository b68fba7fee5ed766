"""Release credentials reach only the upload and the push; secrets never show; the staging
index is never the production one; a third-party name is never taken from TestPyPI.

Real child processes dump their own environment; real pypiservers on 127.0.0.1 stand in
for TestPyPI, PyPI and the user's normal index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_release.index.local import LocalIndex, start_local_index
from tests.plugin.defects import CONFIG, CORE, commit, replace
from tests.plugin.gate_runs import GateRunner, assert_no_secret
from tests.plugin.repos import VERSION, ReleaseRepo
from tests.plugin.test_rehearsal_gate import write_wheel

pytestmark = [pytest.mark.slow]

SENTINELS = {
    "TWINE_PASSWORD": "sentinel-twine-password-4f1a",
    "GITHUB_TOKEN": "ghs_sentinelGithubToken9c2e",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "sentinel-oidc-request-token-77d0",
}
# Writes the environment it was given to the file named by its argument, prints it, and
# fails with a traceback (a smoke command may fail cleanly; this one must not).
DUMP_ENVIRONMENT = """\
import json, os, pathlib, sys
pathlib.Path(sys.argv[1]).write_text(json.dumps(dict(os.environ)))
print(json.dumps(dict(os.environ)))
raise RuntimeError("failing on purpose, after showing the environment")
"""


def test_no_child_sees_a_release_secret_and_no_output_shows_one(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, value in SENTINELS.items():
        monkeypatch.setenv(name, value)
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    tests_env, smoke_env = tmp_path / "tests-environment.json", tmp_path / "smoke-environment.json"
    release_repo.write("dump_environment.py", DUMP_ENVIRONMENT)
    replace(
        release_repo,
        CONFIG,
        'test-command = "pytest -q tests"',
        f'test-command = "python dump_environment.py {tests_env}"',
    )
    replace(
        release_repo,
        CONFIG,
        'smoke = ["aetherflow validate demo/flow.yaml",',
        f'smoke = ["python dump_environment.py {smoke_env}", "aetherflow validate demo/flow.yaml",',
    )
    commit(release_repo, "A test command and a smoke command that show their environment")

    run = run_gates(release_repo.root, "-m", "tests or cli")

    outcomes = run.outcomes()
    assert outcomes["test_target_test_suite_is_green"] == "failed"
    smoke_case = f"test_smoke_command_ends_cleanly[python dump_environment.py {smoke_env}]"
    assert outcomes[smoke_case] == "failed"
    for dumped in (tests_env, smoke_env):
        environment = json.loads(dumped.read_text(encoding="utf-8"))
        assert environment["HOME"]  # the child really ran, with an environment
        assert not set(SENTINELS) & set(environment)
        assert not [value for value in SENTINELS.values() if value in json.dumps(environment)]
    assert_no_secret(run, *SENTINELS.values())
    assert not [value for value in SENTINELS.values() if value in summary.read_text()]


def test_credentials_written_into_index_urls_never_show(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    token_only = "https://sentinelTokenOnly5e9@127.0.0.1:9/legacy/"
    percent_encoded = "https://alice:sentinel%40Pass%2F77@127.0.0.1:10/legacy/"

    run = run_gates(release_repo.root, "-m", "preflight", indexes=(token_only, percent_encoded))

    assert "release settings" in run.output  # the header that names the indexes
    assert_no_secret(
        run, "sentinelTokenOnly5e9", "sentinel%40Pass%2F77", "sentinel@Pass/77", "Pass%2F77"
    )


@pytest.fixture
def production_index(tmp_path: Path) -> Iterator[LocalIndex]:
    index = start_local_index(tmp_path / "production-index")
    yield index
    index.stop()


@pytest.mark.parametrize("testpypi", ["same-index", "pypi"])
def test_the_staging_index_is_never_the_production_one(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    production_index: LocalIndex,
    testpypi: str,
) -> None:
    staging = production_index.upload_url if testpypi == "same-index" else "pypi"
    pypi = production_index.upload_url

    run = run_gates(
        release_repo.root,
        "-m",
        "publish",
        "--release-version",
        VERSION,
        indexes=(staging, pypi),
    )

    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    said = "name the same index" if testpypi == "same-index" else "is the production PyPI"
    assert said in run.output
    assert list(production_index.packages_dir.iterdir()) == []


# -- dependency confusion on TestPyPI -------------------------------------------------------

THIRD_PARTY = "security-third-party-dep"
STAGING_PASSWORD = "staging-upload-password-31c8"


@pytest.fixture
def normal_index(tmp_path: Path) -> Iterator[LocalIndex]:
    """The user's normal index, the only one that has the third-party requirement's
    genuine release."""
    index = start_local_index(tmp_path / "normal-index")
    wheels = tmp_path / "genuine"
    wheels.mkdir()
    genuine = write_wheel(wheels, THIRD_PARTY, "1.0", {"security_third_party_dep.py": ""})
    assert index.upload([genuine]).ok
    yield index
    index.stop()


@pytest.fixture
def staging_with_a_squatter(tmp_path: Path) -> Iterator[LocalIndex]:
    """The TestPyPI stand-in, where someone registered the third-party name first with a
    higher version."""
    index = start_local_index(tmp_path / "staging-index", password=STAGING_PASSWORD)
    wheels = tmp_path / "squatted"
    wheels.mkdir()
    squatter = write_wheel(
        wheels, THIRD_PARTY, "9.9", {"security_third_party_dep.py": "SQUATTED = True\n"}
    )
    assert index.upload([squatter]).ok
    yield index
    index.stop()


def test_a_third_party_name_on_testpypi_is_never_installed_from_there(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    normal_index: LocalIndex,
    staging_with_a_squatter: LocalIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The normal index comes before PyPI (which serves the build backends) for this name.
    monkeypatch.setenv("UV_INDEX", normal_index.simple_url)
    monkeypatch.setenv("TWINE_USERNAME", "release")  # the staging index's own credentials
    monkeypatch.setenv("TWINE_PASSWORD", STAGING_PASSWORD)
    replace(
        release_repo,
        f"packages/{CORE}/pyproject.toml",
        "dependencies = []",
        f'dependencies = ["{THIRD_PARTY}>=1"]',
    )
    commit(release_repo, f"The core requires {THIRD_PARTY}")
    python_smoke = "import security_third_party_dep as d; assert not hasattr(d, 'SQUATTED')"
    replace(
        release_repo,
        CONFIG,
        "python-smoke = [",
        f"python-smoke = [{json.dumps(python_smoke)}, ",
    )
    commit(release_repo, "The smoke says which release of the dependency was installed")

    run = run_gates(
        release_repo.root,
        "-m",
        "publish",
        "--release-version",
        VERSION,
        "--allow-unverified",
        "ci",
        indexes=(staging_with_a_squatter.upload_url, "local"),
    )

    outcomes = run.outcomes()
    assert outcomes["test_install_from_testpypi"] == "passed", run.output
    assert outcomes["test_installed_from_testpypi_python_smoke"] == "passed"
    assert run.result.ret == pytest.ExitCode.OK
