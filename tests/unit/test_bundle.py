"""The release bundle on disk: its manifest written and read back (garbled ones refused as a
whole), the folder written atomically, and a bundle checked against a publish run: its
commit, version, packages, each file's size and sha256, the gates it stands for."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pytest_release.dists.files import file_sha256
from pytest_release.problems import Problem
from pytest_release.publish.bundle import (
    BUNDLE_CASE,
    BundleSource,
    BundleWriteError,
    proof_for,
    proven_by_the_bundle,
    read_bundle,
    read_manifest,
    write_bundle,
)
from pytest_release.publish.manifest import (
    MANIFEST_NAME,
    CaseOutcome,
    GateOutcome,
    ManifestError,
    parse_manifest,
)
from pytest_release.publish.progress import ProvenFile

COMMIT, VERSION = "c0ffee" * 6 + "abcd", "1.4.0"
PACKAGES = ("tidy-core", "tidy")
PASSED = CaseOutcome("test_case", "passed")
# What a build job's session records: every gate passed, the credentials unverified.
GATES = (
    GateOutcome(
        "preflight",
        "skipped",
        (
            PASSED,
            CaseOutcome("test_credentials", "skipped", "unverified", "credentials", False, "none"),
        ),
    ),
    *(
        GateOutcome(gate, "passed", (PASSED,))
        for gate in ("versions", "api", "changelog", "tests", "editable", "cli")
    ),
    GateOutcome("build", "passed", (CaseOutcome("test_build_succeeds[tidy]", "passed"),)),
    GateOutcome(
        "rehearsal",
        "passed",
        (PASSED, CaseOutcome("test_smoke[none]", "skipped", "nothing-to-check", reason="none")),
    ),
)


def release_files(folder: Path, content: bytes = b"built") -> list[tuple[str, list[ProvenFile]]]:
    """Each package's wheel and sdist, as the rehearsal proved them."""
    folder.mkdir(parents=True, exist_ok=True)
    found = []
    for name in PACKAGES:
        stem = f"{name.replace('-', '_')}-{VERSION}"
        paths = [folder / f"{stem}-py3-none-any.whl", folder / f"{stem}.tar.gz"]
        for path in paths:
            path.write_bytes(content + path.name.encode())
        found.append((name, [ProvenFile(path, file_sha256(path)) for path in paths]))
    return found


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "artifacts" / "bundle"
    write_bundle(folder, VERSION, COMMIT, release_files(tmp_path / "dists"), GATES)
    return folder


def source(bundle: Path, commit: str) -> BundleSource:
    """The bundle in ``bundle`` as a publish run on HEAD ``commit`` reads it."""
    return BundleSource(bundle, read_manifest(bundle), commit)


def manifest_data(bundle: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((bundle / MANIFEST_NAME).read_text(encoding="utf-8"))
    return data


def problems_of(bundle: Path, commit: str = COMMIT, version: str = VERSION) -> list[str]:
    reading = read_bundle(source(bundle, commit), version, PACKAGES)
    return [problem.render() for problem in reading.problems]


def test_a_written_bundle_reads_back_as_written(bundle: Path, tmp_path: Path) -> None:
    manifest = read_manifest(bundle)
    assert not isinstance(manifest, Problem)
    assert (manifest.format, manifest.version, manifest.commit) == (1, VERSION, COMMIT)
    assert manifest.gates == GATES
    assert [package.name for package in manifest.packages] == list(PACKAGES)
    for package, (_, proven) in zip(
        manifest.packages, release_files(tmp_path / "again"), strict=True
    ):
        assert [(f.name, f.sha256) for f in package.files] == [
            (file.path.name, file.sha256) for file in proven
        ]
        assert all(f.size == (bundle / f.name).stat().st_size for f in package.files)
    reading = read_bundle(source(bundle, COMMIT), VERSION, PACKAGES)
    assert reading.accepted
    built = reading.built_packages(PACKAGES)
    assert [(b.wheel, b.sdist, b.error) for b in built.values()] == [
        (bundle / f"{n.replace('-', '_')}-{VERSION}-py3-none-any.whl",
         bundle / f"{n.replace('-', '_')}-{VERSION}.tar.gz", None)
        for n in PACKAGES
    ]  # fmt: skip
    assert sorted(path.name for path in bundle.parent.iterdir()) == ["bundle"]  # no leftovers


def test_a_new_bundle_replaces_an_old_one_whole(bundle: Path, tmp_path: Path) -> None:
    files = release_files(tmp_path / "rebuilt", b"rebuilt")
    write_bundle(bundle, VERSION, COMMIT, files, GATES)

    assert read_bundle(source(bundle, COMMIT), VERSION, PACKAGES).accepted
    sent = [file.sha256 for _, proven in files for file in proven]
    assert sorted(file_sha256(path) for path in bundle.iterdir() if path.suffix != ".json") == (
        sorted(sent)
    )
    assert sorted(path.name for path in bundle.parent.iterdir()) == ["bundle"]


def test_a_file_changed_since_the_rehearsal_leaves_the_old_bundle_as_it_was(
    bundle: Path, tmp_path: Path
) -> None:
    before = {path.name: path.read_bytes() for path in bundle.iterdir()}
    files = release_files(tmp_path / "changed")
    files[1][1][0].path.write_bytes(b"written into after the rehearsal")

    with pytest.raises(BundleWriteError, match=r"not the \w+ it had when the rehearsal installed"):
        write_bundle(bundle, VERSION, COMMIT, files, GATES)

    assert {path.name: path.read_bytes() for path in bundle.iterdir()} == before
    assert sorted(path.name for path in bundle.parent.iterdir()) == ["bundle"]


def test_a_folder_of_other_files_is_not_written_over(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")

    with pytest.raises(BundleWriteError, match="not a bundle, and is left alone"):
        write_bundle(folder, VERSION, COMMIT, release_files(tmp_path / "dists"), GATES)

    assert [path.name for path in folder.iterdir()] == ["notes.txt"]


def test_a_bundle_without_its_manifest_is_not_a_whole_one(bundle: Path) -> None:
    (bundle / MANIFEST_NAME).unlink()
    (problem,) = problems_of(bundle)
    assert "holds no manifest.json: it is not a whole bundle" in problem
    assert "never finished" in problem


def test_no_bundle_folder_says_where_to_get_one(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path / "absent")
    assert "there is no bundle" in problem
    assert "artifact" in problem


@pytest.mark.parametrize(
    ("text", "said"),
    [
        pytest.param("{", "it is not JSON", id="truncated"),
        pytest.param("[]", "the manifest is not a JSON object", id="a-list"),
        pytest.param('{"format": 2}', "its format is 2; this pytest-release reads format 1",
                     id="a-later-format"),
        pytest.param('{"format": true}', "has no int `format`", id="a-bool-for-a-number"),
        pytest.param('{"format": 1, "version": "1.4.0"}', "has no str `commit`", id="no-commit"),
        pytest.param('{"format": 1, "version": "1", "commit": "c", "packages": {}, "gates": []}',
                     "has no list `packages`", id="packages-not-a-list"),
        pytest.param('{"format": 1, "version": "1", "commit": "c", "gates": [],'
                     ' "packages": [{"name": "p", "files": [{"name": "p.whl", "size": "9",'
                     ' "sha256": "0"}]}]}',
                     "p.whl of package p has no int `size`", id="a-size-not-a-number"),
        pytest.param('{"format": 1, "version": "1", "commit": "c", "packages": [],'
                     ' "gates": [{"gate": "tests", "status": "green", "cases": []}]}',
                     "gate tests has no `status` among passed", id="an-unknown-outcome"),
    ],
)  # fmt: skip
def test_a_garbled_manifest_is_refused_whole(text: str, said: str) -> None:
    with pytest.raises(ManifestError, match=re.escape(said)):
        parse_manifest(text)


def test_a_garbled_manifest_in_a_bundle_is_one_problem_saying_what(bundle: Path) -> None:
    (bundle / MANIFEST_NAME).write_text('{"format": 1, "version": ', encoding="utf-8")
    (problem,) = problems_of(bundle)
    assert "the manifest is not one pytest-release wrote: it is not JSON" in problem


def test_an_altered_file_is_refused_with_both_digests(bundle: Path) -> None:
    sdist = bundle / f"tidy-{VERSION}.tar.gz"
    recorded = file_sha256(sdist)
    sdist.write_bytes(b"same size??" + sdist.read_bytes()[11:])

    (problem,) = problems_of(bundle)
    assert f"tidy, {sdist}: the file is not the one the build job proved" in problem
    assert f"sha256 {file_sha256(sdist)}" in problem
    assert f"records {sdist.stat().st_size} bytes with sha256 {recorded}" in problem
    assert not read_bundle(source(bundle, COMMIT), VERSION, PACKAGES).proven_files()


def test_a_missing_file_and_a_missing_package_are_refused(bundle: Path) -> None:
    (bundle / f"tidy_core-{VERSION}-py3-none-any.whl").unlink()
    data = manifest_data(bundle)
    assert isinstance(data["packages"], list)
    data["packages"].pop()
    (bundle / MANIFEST_NAME).write_text(json.dumps(data), encoding="utf-8")

    reading = read_bundle(source(bundle, COMMIT), VERSION, PACKAGES)

    said = "\n".join(problem.render() for problem in reading.problems)
    assert "it holds no files of tidy;" in said
    assert "the file is missing from the bundle" in said
    built = reading.built_packages(PACKAGES)
    assert built["tidy"].wheel is None
    assert built["tidy"].error == f"the bundle in {bundle} was refused (see {BUNDLE_CASE})"


def test_another_commit_or_version_is_refused(bundle: Path) -> None:
    problems = problems_of(bundle, commit="0" * 40, version="1.5.0")
    assert len(problems) == 2
    assert f"built from commit {COMMIT}, and HEAD is {'0' * 40}" in problems[0]
    assert f"of version {VERSION}, and this run releases 1.5.0" in problems[1]
    assert f"give --release-version {VERSION}" in problems[1]


def test_a_file_named_outside_the_bundle_is_refused(bundle: Path) -> None:
    text = (bundle / MANIFEST_NAME).read_text(encoding="utf-8")
    wheel = f"tidy-{VERSION}.tar.gz"
    (bundle / MANIFEST_NAME).write_text(text.replace(f'"{wheel}"', '"../x.tar.gz"'), "utf-8")
    assert any("names a file '../x.tar.gz' outside the bundle" in p for p in problems_of(bundle))


@pytest.mark.parametrize(
    ("gate", "case", "outcome"),
    [
        ("tests", "test_case", CaseOutcome("test_case", "failed")),
        ("rehearsal", "test_smoke[none]", CaseOutcome("test_smoke[none]", "skipped", "blocked")),
        ("build", "test_build_succeeds[tidy]", CaseOutcome("test_build_succeeds[tidy]", "skipped")),
    ],
)
def test_a_gate_the_bundle_stands_for_must_have_passed(
    tmp_path: Path, gate: str, case: str, outcome: CaseOutcome
) -> None:
    gates = [
        GateOutcome(each.gate, "failed", (outcome,)) if each.gate == gate else each
        for each in GATES
    ]
    folder = tmp_path / "bundle"
    write_bundle(folder, VERSION, COMMIT, release_files(tmp_path / "dists"), gates)

    (problem,) = problems_of(folder)
    assert f"gate `{gate}` did not pass in the build job" in problem
    manifest = read_manifest(folder)
    proof = proof_for(manifest, folder, COMMIT, VERSION, gate, case)
    assert not proof.proven
    assert "does not record it as passed" in proof.reason


def test_a_proof_names_the_bundle_commit_and_version(bundle: Path) -> None:
    manifest = read_manifest(bundle)
    proof = proof_for(manifest, bundle, COMMIT, VERSION, "rehearsal", "test_smoke[none]")
    assert proof.proven
    assert proof.reason == (
        f"passed in the build job (bundle {bundle}, commit {COMMIT[:12]}, version {VERSION})"
    )
    other = proof_for(manifest, bundle, "1" * 40, VERSION, "tests", "test_case")
    assert not other.proven
    assert f"is of commit {COMMIT[:12]}" in other.reason


@pytest.mark.parametrize(
    ("gate", "case", "proven"),
    [
        ("tests", "test_target_test_suite_is_green", True),
        ("cli", "test_smoke_command_ends_cleanly[x run]", True),
        ("rehearsal", "test_install_from_the_rehearsal_index", True),
        ("rehearsal", BUNDLE_CASE, False),  # it checks the bundle: never taken from it
        ("build", "test_build_succeeds[tidy]", True),
        ("build", "test_twine_check_passes[tidy]", False),  # runs on the bundle's files
        ("changelog", "test_release_section_is_dated", False),
        ("testpypi", "test_upload_to_testpypi[tidy]", False),
    ],
)
def test_which_cases_a_publish_run_takes_from_the_bundle(
    gate: str, case: str, proven: bool
) -> None:
    assert proven_by_the_bundle(gate, case) is proven
