"""The opt-in publish: TestPyPI, clean install and smoke, PyPI, tags; the publish guard and
the resume after a partial publish. Two real pypiservers on 127.0.0.1 stand in for TestPyPI
and PyPI (given by URL, with twine's credentials from the environment, as a user would),
and a bare git remote receives the tags."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_release.checklist import GATES
from pytest_release.dists.build import start_builds
from pytest_release.index.local import LocalIndex, start_local_index
from pytest_release.publish.progress import ProvenFile, ProvenFiles, PublishLog
from pytest_release.publish.upload import PublishStep
from pytest_release.target.monorepo import read_monorepo
from tests.plugin.baseline import (
    EXAMPLE_PACKAGES,
    PUBLISH_GATES,
    TAG_CASES,
    TESTPYPI_INSTALL_CASE,
    assert_outcomes,
    assert_says,
    gate_cases,
)
from tests.plugin.defects import CHANGELOG, DATED, RELEASE_HEADING, commit, replace
from tests.plugin.gate_runs import GateRun, GateRunner, junit_properties
from tests.plugin.index_servers import (
    assert_no_server_left,
    assert_shows_what_was_installed,
    lists_processes,
    refused_port,
    sha256,
)
from tests.plugin.repos import VERSION, ReleaseRepo
from tests.plugin.trees import single_package

pytestmark = [pytest.mark.slow]

# A user's own api-gate checks: a plain skip in the words of a harmless or waived one (no
# kind: it blocks), and a harmless skip through pytest-release's helper (it does not).
USER_GATES = """
import pytest

from pytest_release.gate import skip_nothing_to_check


@pytest.mark.api
def test_a_plain_skip_that_sounds_harmless():
    pytest.skip("nothing to check: waived with --allow-unverified ci")


@pytest.mark.api
def test_a_harmless_skip_of_the_users_own():
    skip_nothing_to_check("this repository has no documentation to build")
"""
NO_CACHE = ("-p", "no:cacheprovider")
USER_GATE_OUTCOMES = {
    "test_a_plain_skip_that_sounds_harmless": "skipped",
    "test_a_harmless_skip_of_the_users_own": "skipped",
}
SECRET = "publish-secret-5f0c2a9e7d"  # the upload password: it must show nowhere
ALL_GATES = tuple(gate.name for gate in GATES)
CHECK_GATES = tuple(gate.name for gate in GATES if not gate.publish)
WAIVE_CI = ("--allow-unverified", "ci")  # off GitHub, the CI state of HEAD cannot be read
TAG = f"v{VERSION}"


def release_files(package: str) -> list[str]:
    stem = f"{package.replace('-', '_')}-{VERSION}"
    return [f"{stem}-py3-none-any.whl", f"{stem}.tar.gz"]


PUBLISH_ORDER_FILES = [name for package in EXAMPLE_PACKAGES for name in release_files(package)]


@dataclass
class Server:
    index: LocalIndex

    @property
    def url(self) -> str:
        return self.index.upload_url

    def files_in_upload_order(self) -> list[str]:
        files = sorted(self.index.packages_dir.iterdir(), key=lambda path: path.stat().st_mtime_ns)
        return [path.name for path in files]

    def modified(self) -> dict[str, int]:
        return {path.name: path.stat().st_mtime_ns for path in self.index.packages_dir.iterdir()}


def start_server(folder: Path, port: int | None = None) -> Server:
    chosen = (lambda: port) if port is not None else None
    return Server(start_local_index(folder, choose_port=chosen, password=SECRET))


def give_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """twine's environment credentials, for the publish runs started from now on."""
    monkeypatch.setenv("TWINE_USERNAME", "release")
    monkeypatch.setenv("TWINE_PASSWORD", SECRET)


@pytest.fixture
def servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, Server]]:
    """TestPyPI and PyPI stand-ins, uploading with twine's environment credentials."""
    give_credentials(monkeypatch)
    testpypi = start_server(tmp_path / "testpypi-index")
    pypi = start_server(tmp_path / "pypi-index")
    yield testpypi, pypi
    testpypi.index.stop()
    pypi.index.stop()


def publish(
    run_gates: GateRunner, repo: ReleaseRepo, testpypi: str, pypi: str, *args: str
) -> GateRun:
    return run_gates(
        repo.root, "-m", "publish", "--release-version", VERSION, *args, indexes=(testpypi, pypi)
    )


def publish_cases(outcome: str, gates: tuple[str, ...] = PUBLISH_GATES) -> dict[str, str]:
    return {case: outcome for gate in gates for case in gate_cases(gate)}


def junit_values(run: GateRun, name: str) -> list[str]:
    root = ElementTree.parse(run.junit).getroot()
    return [prop.attrib["value"] for prop in root.iter("property") if prop.attrib["name"] == name]


def remote_tag(repo: ReleaseRepo, tag: str) -> str | None:
    """The commit ``tag`` names on the bare remote (through an annotated tag), or None."""
    listed: dict[str, str] = {}
    for line in repo.git("ls-remote", "--tags", "origin", f"refs/tags/{tag}*").splitlines():
        sha, _, ref = line.partition("\t")
        listed[ref] = sha
    return listed.get(f"refs/tags/{tag}^{{}}") or listed.get(f"refs/tags/{tag}")


def assert_secret_hidden(run: GateRun, secret: str = SECRET) -> None:
    assert secret not in run.output
    assert secret not in run.junit.read_text(encoding="utf-8")


@lists_processes
def test_a_publish_run_uploads_in_order_installs_and_pushes_the_tags(
    release_repo: ReleaseRepo, run_gates: GateRunner, servers: tuple[Server, Server]
) -> None:
    testpypi, pypi = servers
    before = release_repo.git("status", "--porcelain", "--ignored")

    run = publish(run_gates, release_repo, testpypi.url, pypi.url, *WAIVE_CI)

    assert_outcomes(run, gates=ALL_GATES)
    # "Gates never mutate the target repo" (design, section 4), ignored files included: the
    # builds run on a copy (no build/, dist/, *.egg-info or __pycache__ in the target), and
    # venvs, the indexes and the smoke runs live in the session's scratch folders (the tag
    # is the one thing a publish adds).
    assert before == ""
    assert release_repo.git("status", "--porcelain", "--ignored") == before
    # The rehearsal installed the very wheels it uploaded, and stopped its index server.
    for package in EXAMPLE_PACKAGES:
        assert_shows_what_was_installed(run, run_gates, package)
    assert_no_server_left(run_gates)
    assert testpypi.files_in_upload_order() == PUBLISH_ORDER_FILES
    assert pypi.files_in_upload_order() == PUBLISH_ORDER_FILES
    head = release_repo.git("rev-parse", "HEAD")
    assert release_repo.git("cat-file", "-t", TAG) == "tag"  # annotated
    assert release_repo.git("rev-parse", f"{TAG}^{{commit}}") == head
    assert remote_tag(release_repo, TAG) == head
    # The checklist shows the uploads in publish order, the tags, and the waiver.
    uploads = [line for line in run.output.splitlines() if f" -> pypi ({pypi.url}): " in line]
    assert [line.split(",")[0].strip() for line in uploads] == PUBLISH_ORDER_FILES[::2]
    assert f"tags {TAG} on HEAD {head[:12]}" in run.output
    assert f"pushed {TAG} to origin" in run.output
    assert "--allow-unverified ci" in run.output.split("release checklist")[-1]
    # JUnit: which files went where, with their sha256; the waiver; never the password.
    recorded = junit_values(run, "pypi_file")
    assert [value.split()[0] for value in recorded] == PUBLISH_ORDER_FILES
    assert all("sha256=" in value and value.endswith(" uploaded") for value in recorded)
    assert "ci" in junit_values(run, "release_waived")
    assert_secret_hidden(run)

    # The same command again: everything is in place, so nothing is sent or tagged anew.
    uploaded = testpypi.modified(), pypi.modified()
    again = publish(run_gates, release_repo, testpypi.url, pypi.url, *WAIVE_CI)

    assert_outcomes(again, gates=ALL_GATES)
    assert (testpypi.modified(), pypi.modified()) == uploaded
    assert all(value.endswith(" already there") for value in junit_values(again, "pypi_file"))
    assert remote_tag(release_repo, TAG) == head


def test_a_failed_gate_and_an_unverified_check_block_every_publish_step(
    release_repo: ReleaseRepo, run_gates: GateRunner, servers: tuple[Server, Server]
) -> None:
    """An undated release section fails the changelog gate, the CI state (off GitHub) is
    neither verified nor waived, and a user's own gate skips without a kind (in words that
    sound harmless): each blocks, and the blocked steps name them all. The user's skip
    through pytest-release's helper, of a harmless kind, does not block."""
    testpypi, pypi = servers
    replace(release_repo, CHANGELOG, RELEASE_HEADING, f"## [{VERSION}]")
    commit(release_repo, "Leave the release section undated")
    (run_gates.pytester.path / "release_tests" / "test_users_own_checks.py").write_text(
        USER_GATES, encoding="utf-8"
    )

    run = publish(run_gates, release_repo, testpypi.url, pypi.url)

    changed = {DATED: "failed", **publish_cases("skipped")}
    assert_outcomes(run, changed, gates=ALL_GATES, extra=USER_GATE_OUTCOMES)
    for case in (f"test_upload_to_testpypi[{EXAMPLE_PACKAGES[0]}]", *TAG_CASES):
        assert_says(
            run,
            case,
            "blocked, nothing sent",
            "gate `preflight` did not verify test_ci_is_green_for_head",
            "--allow-unverified ci",
            "test_a_plain_skip_that_sounds_harmless",
            f"gate `changelog` failed ({DATED})",
        )
        assert "test_a_harmless_skip_of_the_users_own" not in run.message(case)
    # JUnit: the plain skip has no kind; the helper's is harmless; the steps are blocked.
    properties = junit_properties(run)
    kinds = {
        case: [value for name, value in properties[case] if name == "release_skip"]
        for case in (*USER_GATE_OUTCOMES, f"test_upload_to_testpypi[{EXAMPLE_PACKAGES[0]}]")
    }
    assert list(kinds.values()) == [[], ["nothing-to-check"], ["blocked"]]
    assert testpypi.files_in_upload_order() == pypi.files_in_upload_order() == []
    assert remote_tag(release_repo, TAG) is None


def test_refused_credentials_stop_the_publish_at_the_first_upload(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    servers: tuple[Server, Server],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    testpypi, pypi = servers
    wrong = "wrong-password-0c7e11"
    monkeypatch.setenv("TWINE_PASSWORD", wrong)

    run = publish(run_gates, release_repo, testpypi.url, pypi.url, *WAIVE_CI)

    core, *dependents = EXAMPLE_PACKAGES
    changed = {
        **publish_cases("skipped"),
        f"test_upload_to_testpypi[{core}]": "failed",
    }
    assert_outcomes(run, changed, gates=ALL_GATES)
    assert_says(
        run,
        f"test_upload_to_testpypi[{core}]",
        "refused the credentials (HTTP 403 Forbidden",
        "TWINE_PASSWORD",
        "nothing of this release",
        "re-run `pytest ",  # the session's own command
        f"-m publish --release-version {VERSION}",
    )
    for package in dependents:
        assert_says(run, f"test_upload_to_testpypi[{package}]", f"stopped at {core}")
    assert_says(run, TAG_CASES[0], "gate `testpypi` failed")
    assert testpypi.files_in_upload_order() == pypi.files_in_upload_order() == []
    assert_secret_hidden(run, wrong)


def test_a_rerun_after_the_production_index_was_down_resumes_without_reuploading(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    servers: tuple[Server, Server],
    tmp_path: Path,
) -> None:
    """Both runs without pytest's cache (read-only CI checkouts run so): the resume reads
    what the index holds, never a kept file."""
    testpypi, _ = servers
    # Down: the address refuses connections, and no other test's server can take it.
    with refused_port() as port:
        down = f"http://127.0.0.1:{port}/"
        first = publish(run_gates, release_repo, testpypi.url, down, *WAIVE_CI, *NO_CACHE)
    # The production index is back, at the same address.
    pypi = start_server(tmp_path / "pypi-back", port=port)
    try:
        core = EXAMPLE_PACKAGES[0]
        changed = {
            **publish_cases("skipped", ("pypi", "tag")),
            f"test_upload_to_pypi[{core}]": "failed",
        }
        changed |= dict.fromkeys(gate_cases("testpypi"), "passed")
        assert_outcomes(first, changed, gates=ALL_GATES)
        assert_says(
            first,
            f"test_upload_to_pypi[{core}]",
            "could not be listed",
            "Connection refused",
            f"Live now: on testpypi ({testpypi.url}): {', '.join(PUBLISH_ORDER_FILES)}",
            "nothing of this release",
            "Tags: local none; pushed none",
            "re-run `pytest ",  # the session's own command
            f"--pypi={down}",
            "--allow-unverified ci",
            "yank",
        )
        uploaded_first = testpypi.modified()

        again = publish(run_gates, release_repo, testpypi.url, down, *WAIVE_CI, *NO_CACHE)
    finally:
        pypi.index.stop()

    assert_outcomes(again, gates=ALL_GATES)
    assert "AttributeError" not in first.output + again.output
    assert testpypi.modified() == uploaded_first  # nothing sent again
    testpypi_details = [line for line in again.output.splitlines() if "-> testpypi (" in line]
    assert len(testpypi_details) == len(EXAMPLE_PACKAGES)
    # A rebuilt sdist may differ from the uploaded one in its archive bytes alone (times):
    # then the index's own file, of the same contents, is the release's.
    assert all("already there" in line and "uploaded" not in line for line in testpypi_details), (
        "\n".join(testpypi_details)
    )
    assert pypi.files_in_upload_order() == PUBLISH_ORDER_FILES
    assert remote_tag(release_repo, TAG) == release_repo.git("rev-parse", "HEAD")


def test_a_file_of_the_same_name_with_other_bytes_burns_the_version(
    release_repo: ReleaseRepo, run_gates: GateRunner, servers: tuple[Server, Server]
) -> None:
    testpypi, pypi = servers
    core_wheel = PUBLISH_ORDER_FILES[0]
    (testpypi.index.packages_dir / core_wheel).write_bytes(b"uploaded by someone else")

    run = publish(run_gates, release_repo, testpypi.url, pypi.url, *WAIVE_CI)

    core = EXAMPLE_PACKAGES[0]
    changed = {**publish_cases("skipped"), f"test_upload_to_testpypi[{core}]": "failed"}
    assert_outcomes(run, changed, gates=ALL_GATES)
    assert_says(
        run,
        f"test_upload_to_testpypi[{core}]",
        "version burned",
        core_wheel,
        "bump to the next version",
    )
    assert testpypi.files_in_upload_order() == [core_wheel]
    assert pypi.files_in_upload_order() == []
    assert remote_tag(release_repo, TAG) is None


def test_a_publish_run_without_the_release_version_is_a_usage_error(
    release_repo: ReleaseRepo, run_gates: GateRunner, servers: tuple[Server, Server]
) -> None:
    testpypi, pypi = servers

    run = run_gates(release_repo.root, "-m", "publish", indexes=(testpypi.url, pypi.url))

    assert run.result.ret == pytest.ExitCode.USAGE_ERROR
    assert "a publish run needs the release version: give --release-version X.Y.Z" in run.output
    assert "INTERNALERROR" not in run.output
    assert testpypi.files_in_upload_order() == []


def test_a_package_is_not_uploaded_when_its_dependency_was_left_out_with_k(
    release_repo: ReleaseRepo, run_gates: GateRunner, servers: tuple[Server, Server]
) -> None:
    testpypi, pypi = servers
    core, scheduler, meta = EXAMPLE_PACKAGES

    run = publish(run_gates, release_repo, testpypi.url, pypi.url, *WAIVE_CI, "-k", f"not {core}]")

    # -k leaves out core's publish cases; every other gate still runs whole.
    left_out = {
        case for gate in PUBLISH_GATES for case in gate_cases(gate) if case.endswith(f"[{core}]")
    }
    changed = {case: "skipped" for case in gate_cases("testpypi") if case not in left_out}
    changed |= publish_cases("skipped", ("pypi", "tag"))
    expected = {case: outcome for case, outcome in changed.items() if case not in left_out}
    outcomes = run.outcomes()
    assert {case: outcomes[case] for case in expected} == expected, run.output
    assert not left_out & outcomes.keys()
    assert_says(run, f"test_upload_to_testpypi[{scheduler}]", f"it requires {core}")
    assert_says(run, f"test_upload_to_testpypi[{meta}]", f"it requires {core}")
    assert_says(run, TESTPYPI_INSTALL_CASE, "not placed on testpypi")
    assert_says(run, TAG_CASES[0], "gate `testpypi` did not verify")
    assert testpypi.files_in_upload_order() == pypi.files_in_upload_order() == []


def test_each_upload_sends_only_the_bytes_proved_before_it(
    servers: tuple[Server, Server], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Straight through the publish steps, with real builds and indexes: TestPyPI refuses a
    file changed since the rehearsal proved it, and PyPI one that TestPyPI no longer holds
    with the bytes its install was checked with; neither index receives anything then."""
    testpypi, pypi = servers
    monorepo = read_monorepo(single_package(tmp_path / "tree"))
    (package,) = monorepo.packages
    built = start_builds(monorepo, tmp_path / "dists").result()[package.name]
    assert built.wheel, built.error
    assert built.sdist, built.error
    proven = {package.name: tuple(ProvenFile(p, sha256(p)) for p in (built.wheel, built.sdist))}

    def steps(name: str) -> tuple[PublishStep, PublishStep]:
        log = PublishLog(version=VERSION, rerun="pytest release_tests -m publish")
        first = PublishStep(
            "testpypi",
            testpypi.index,
            monorepo,
            monorepo.packages,
            log,
            tmp_path / name / "testpypi",
            ProvenFiles("the rehearsal", proven),
        )
        second = PublishStep(
            "pypi",
            pypi.index,
            monorepo,
            monorepo.packages,
            log,
            tmp_path / name / "pypi",
            first.proven,
            after=first,
        )
        return first, second  # fmt: skip

    original = built.sdist.read_bytes()
    built.sdist.write_bytes(original + b"\0")  # written into after the rehearsal
    first, _ = steps("changed")
    with pytest.raises(pytest.fail.Exception, match="changed since the rehearsal proved them"):
        first.upload(package, request)
    assert testpypi.files_in_upload_order() == []

    built.sdist.write_bytes(original)
    first, second = steps("replaced")
    first.upload(package, request)
    (testpypi.index.packages_dir / built.wheel.name).write_bytes(b"replaced on the index")
    with pytest.raises(pytest.fail.Exception, match=r"no longer holds \S+\.whl with the sha256"):
        second.upload(package, request)
    assert pypi.files_in_upload_order() == []
