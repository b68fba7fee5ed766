"""The release bundle across two jobs: a dry run without upload credentials writes it (a
build job), and a publish run in a fresh clone of the same commit, in another folder with
no shared cache, uploads exactly its bytes (a publish job) to two real pypiservers on
127.0.0.1. A bundle altered, of another commit, or missing a package is refused before
anything is sent. One dry run makes the bundle; the refusals take altered copies of it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import tests.plugin.test_publish as publishing
from pytest_release.publish.bundle import BUILDING_CASES, BUNDLE_CASE
from pytest_release.publish.manifest import MANIFEST_NAME
from tests.plugin.baseline import (
    EXAMPLE_PACKAGES,
    assert_no_traceback,
    assert_outcomes,
    assert_says,
    gate_cases,
)
from tests.plugin.defects import CHANGELOG, DATED, RELEASE_HEADING, commit, replace
from tests.plugin.gate_runs import GateRun, GateRunner, junit_properties
from tests.plugin.index_servers import lists_processes, sha256, uploaded_wheel
from tests.plugin.repos import VERSION, ReleaseRepo, copy_release_repo, fresh_clone
from tests.plugin.test_publish import (
    ALL_GATES,
    CHECK_GATES,
    NO_CACHE,
    PUBLISH_ORDER_FILES,
    WAIVE_CI,
    Server,
    assert_secret_hidden,
    give_credentials,
    publish,
    publish_cases,
    remote_tag,
)

servers = publishing.servers  # TestPyPI and PyPI stand-ins, as the publish tests have them
DRY_RUN = ("-m", "not publish")
# A build job holds no upload credentials: its dry run leaves them unverified.
CREDENTIAL_CASES = (
    "test_upload_credentials_are_present[testpypi]",
    "test_upload_credentials_are_present[pypi]",
)
# What a publish run from the bundle takes from the manifest instead of running again.
PROVEN_CASES = tuple(
    case
    for gate in ("tests", "editable", "cli", "build", "rehearsal")
    for case in gate_cases(gate)
    if gate != "build" or case.partition("[")[0] in BUILDING_CASES
)


def bundle_files(bundle: Path) -> dict[str, str]:
    """File name -> sha256 of every release file in the bundle."""
    return {path.name: sha256(path) for path in bundle.iterdir() if path.name != MANIFEST_NAME}


def index_files(server: Server) -> dict[str, str]:
    return {path.name: sha256(path) for path in server.index.packages_dir.iterdir()}


def assert_refused_before_any_upload(
    run: GateRun, servers: tuple[Server, Server], *words: str
) -> None:
    """The bundle's case fails, saying ``words``; it alone; nothing reaches an index."""
    failed = [case for case, outcome in run.outcomes().items() if outcome == "failed"]
    assert failed == [BUNDLE_CASE], run.output
    assert_says(run, BUNDLE_CASE, *words)
    outcomes = run.outcomes()
    assert {case: outcomes[case] for case in publish_cases("skipped")} == publish_cases("skipped")
    assert_says(run, f"test_upload_to_testpypi[{EXAMPLE_PACKAGES[0]}]", "blocked, nothing sent")
    assert all(not index_files(server) for server in servers)
    assert_no_traceback(run)


def test_no_bundle_is_written_after_a_failed_gate_or_one_that_did_not_run(
    release_repo: ReleaseRepo, run_gates: GateRunner, tmp_path: Path
) -> None:
    """-m selects the quick gates alone, the changelog's release section is undated: the
    bundle's case runs all the same, and says why it wrote nothing."""
    replace(release_repo, CHANGELOG, RELEASE_HEADING, f"## [{VERSION}]")
    commit(release_repo, "Leave the release section undated")
    bundle = tmp_path / "bundle"

    run = run_gates(release_repo.root, f"--bundle={bundle}")

    assert_outcomes(run, {DATED: "failed"}, extra={BUNDLE_CASE: "skipped"})
    assert_says(
        run,
        BUNDLE_CASE,
        f"no bundle written to {bundle}: ",
        f"gate `changelog` failed ({DATED})",
        "gate `tests` did not run in this session",
        "gate `rehearsal` did not run in this session",
    )
    assert ("release_skip", "blocked") in junit_properties(run)[BUNDLE_CASE]
    assert not bundle.exists()
    assert list(tmp_path.glob(".bundle*")) == []


@pytest.mark.slow
@lists_processes
def test_a_bundle_written_by_a_dry_run_is_published_from_a_fresh_clone(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    servers: tuple[Server, Server],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    testpypi, pypi = servers
    indexes = (testpypi.url, pypi.url)
    artifacts = tmp_path / "artifacts"
    bundle = artifacts / "bundle"
    # The build job: a dry run without upload credentials, writing the bundle.
    monkeypatch.delenv("TWINE_USERNAME")
    monkeypatch.delenv("TWINE_PASSWORD")

    built = run_gates(release_repo.root, *DRY_RUN, f"--bundle={bundle}", *NO_CACHE, indexes=indexes)

    changed = dict.fromkeys(CREDENTIAL_CASES, "skipped")
    assert_outcomes(built, changed, gates=CHECK_GATES, extra={BUNDLE_CASE: "passed"})
    head = release_repo.git("rev-parse", "HEAD")
    manifest = json.loads((bundle / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert (manifest["format"], manifest["version"], manifest["commit"]) == (1, VERSION, head)
    assert [package["name"] for package in manifest["packages"]] == list(EXAMPLE_PACKAGES)
    files = [file for package in manifest["packages"] for file in package["files"]]
    assert [file["name"] for file in files] == PUBLISH_ORDER_FILES
    # The bundle holds the very files the rehearsal installed, as the manifest says.
    assert {file["name"]: file["sha256"] for file in files} == bundle_files(bundle)
    assert all(file["size"] == (bundle / file["name"]).stat().st_size for file in files)
    for package in EXAMPLE_PACKAGES:
        wheel = uploaded_wheel(run_gates, package)
        assert bundle_files(bundle)[wheel.name] == sha256(wheel)
    # Every gate's outcome, with the skips' kinds: the unverified credentials among them.
    gates = {gate["gate"]: gate for gate in manifest["gates"]}
    assert list(gates) == list(CHECK_GATES)
    assert {name: gates[name]["status"] for name in ("tests", "editable", "cli", "build")} == {
        "tests": "passed",
        "editable": "passed",
        "cli": "passed",
        "build": "passed",
    }
    assert BUNDLE_CASE not in [case["case"] for case in gates["rehearsal"]["cases"]]
    preflight = {case["case"]: case for case in gates["preflight"]["cases"]}
    assert preflight[CREDENTIAL_CASES[0]]["skip"] == "unverified"
    assert not preflight[CREDENTIAL_CASES[0]]["waived"]
    assert sorted(path.name for path in artifacts.iterdir()) == ["bundle"]  # nothing half-made
    assert f"bundle written to {bundle}" in built.output.split("release checklist")[-1]

    # The publish job: a fresh clone elsewhere, the credentials, the bundle; no cache.
    give_credentials(monkeypatch)
    clone = fresh_clone(release_repo, tmp_path / "publish-job")
    # Refused, each before anything is sent: a file altered ...
    altered = shutil.copytree(bundle, tmp_path / "altered")
    with (altered / PUBLISH_ORDER_FILES[1]).open("ab") as sdist:
        sdist.write(b"\0")
    run = publish(run_gates, clone, *indexes, f"--bundle={altered}", *WAIVE_CI, *NO_CACHE)
    assert_refused_before_any_upload(
        run, servers, PUBLISH_ORDER_FILES[1], "not the one the build job proved"
    )
    # ... a package missing ...
    missing = shutil.copytree(bundle, tmp_path / "missing")
    left_out = manifest["packages"].pop(1)
    (missing / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    for file in left_out["files"]:
        (missing / file["name"]).unlink()
    run = publish(run_gates, clone, *indexes, f"--bundle={missing}", *WAIVE_CI, *NO_CACHE)
    assert_refused_before_any_upload(run, servers, f"it holds no files of {left_out['name']}")
    # ... and a checkout of another commit.
    later = copy_release_repo(release_repo, tmp_path / "later")
    later.git("commit", "-q", "--allow-empty", "-m", "A later commit")
    later.push()
    run = publish(run_gates, later, *indexes, f"--bundle={bundle}", *WAIVE_CI, *NO_CACHE)
    assert_refused_before_any_upload(run, servers, f"built from commit {head}")

    sessions = set(run_gates.pytester.path.glob("runpytest-*"))
    run = publish(run_gates, clone, *indexes, f"--bundle={bundle}", *WAIVE_CI, *NO_CACHE)

    proven = dict.fromkeys(PROVEN_CASES, "skipped")
    assert_outcomes(run, proven, gates=ALL_GATES, extra={BUNDLE_CASE: "passed"})
    # Exactly the bundle's bytes on both indexes, in publish order.
    assert index_files(testpypi) == index_files(pypi) == bundle_files(bundle)
    assert testpypi.files_in_upload_order() == pypi.files_in_upload_order() == PUBLISH_ORDER_FILES
    assert remote_tag(clone, f"v{VERSION}") == head
    # Nothing was built: the session made no build folder.
    (session,) = set(run_gates.pytester.path.glob("runpytest-*")) - sessions
    assert not list(session.glob("**/dists*")), "the publish run from a bundle built"
    # What the build job proved shows as such: in JUnit by kind, in the checklist in words.
    properties = junit_properties(run)
    assert all(("release_skip", "proven-by-bundle") in properties[case] for case in PROVEN_CASES)
    assert_says(run, PROVEN_CASES[0], f"passed in the build job (bundle {bundle}, commit")
    checklist = run.output.split("release checklist")[-1]
    assert any(line.startswith("passed") and " tests " in line for line in checklist.splitlines())
    assert_secret_hidden(run)
