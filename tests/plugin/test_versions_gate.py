"""Gate 1, versions, against real git repositories: each defect fails exactly its cases,
with a message saying what is wrong, where and how to fix it; every other case of gates
0-2 keeps its baseline outcome."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.plugin.baseline import (
    VERSIONS_PACKAGE_CASES,
    assert_no_traceback,
    assert_outcomes,
    assert_says,
)
from tests.plugin.defects import (
    AGREE,
    CLEAN,
    CONFIG,
    CORE,
    GATES,
    META,
    SCHEDULER,
    SECTION,
    SECTION_CASES,
    TAGS,
    above,
    commit,
    committed,
    line_of,
    pyproject,
    ranges,
    replace,
    run_release_gates,
    set_config,
    set_version,
    skipping,
    strict,
)
from tests.plugin.gate_runs import GateRun, GateRunner
from tests.plugin.repos import PREVIOUS_VERSION, VERSION, ReleaseRepo, make_release_repo
from tests.plugin.trees import RENAMED_TAG_FORMAT, renamed_example, single_package

STATIC_VERSION = f'version = "{VERSION}"'
SCM_TABLE = "[tool.setuptools_scm]\n\n[tool.setuptools.packages.find]"
STRICT_FIX = "use strict SemVer in PEP 440's spelling: MAJOR.MINOR.PATCH"


def publish_order_property(run: GateRun) -> str | None:
    """The ``publish_order`` JUnit property of test_publish_order."""
    for case in ElementTree.parse(run.junit).getroot().iter("testcase"):
        if case.attrib["name"] == "test_publish_order":
            found = {p.attrib["name"]: p.attrib["value"] for p in case.iter("property")}
            return found.get("publish_order")
    return None


def test_the_baseline_passes_and_reports_the_publish_order(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    run = run_release_gates(run_gates, release_repo, "--release-version", VERSION)

    assert_outcomes(run, gates=GATES)
    assert publish_order_property(run) == f"{CORE}, {SCHEDULER}, {META}"


# Each version form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        pytest.param("1.2", "has 2 release parts, not MAJOR.MINOR.PATCH", id="two-parts"),
        pytest.param("1.2.3.4", "has 4 release parts, not MAJOR.MINOR.PATCH", id="four-parts"),
        pytest.param("v1.2.3", "starts with 'v'", id="v-prefix"),
        pytest.param("1.2.3.post1", "is a post-release ('.postN')", id="post"),
        pytest.param("1.2.3.dev0", "is a development release ('.devN')", id="dev"),
        pytest.param("1!1.2.3", "has an epoch ('N!')", id="epoch"),
        pytest.param("1.2.3+local", "has a local part ('+...'), which PyPI refuses", id="local"),
    ],
)
def test_a_version_that_is_not_strict_semver_is_rejected(
    release_repo: ReleaseRepo, run_gates: GateRunner, version: str, reason: str
) -> None:
    """The meta package, which no other package requires, so no range names it."""
    replace(release_repo, pyproject(META), STATIC_VERSION, f'version = "{version}"')
    commit(release_repo, f"Set {META} to {version}")

    run = run_release_gates(run_gates, release_repo, "--release-version", VERSION)

    assert_outcomes(run, {strict(META): "failed", AGREE: "failed"}, gates=GATES)
    assert_says(
        run, strict(META), pyproject(META), f"{META}'s version '{version}' {reason}", STRICT_FIX
    )
    assert_says(
        run, AGREE, pyproject(META), f"{META} is at {version}, but the release is {VERSION}"
    )


def test_a_version_from_git_tags_needs_the_release_version(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """setuptools-scm computes the version from git tags at build time: it is the release
    version, which this run does not give. The other cases leave that to this one."""
    core = pyproject(CORE)
    replace(release_repo, core, STATIC_VERSION, 'dynamic = ["version"]')
    replace(release_repo, core, '"setuptools>=77"', '"setuptools>=77", "setuptools-scm>=8"')
    replace(release_repo, core, "[tool.setuptools.packages.find]", SCM_TABLE)
    commit(release_repo, "Take the core's version from git tags")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, {strict(CORE): "failed"}, gates=GATES)
    assert_says(
        run,
        strict(CORE),
        f"{core}: computed by setuptools-scm at build time",
        f"{CORE}'s version is computed by setuptools-scm at build time, so it is the release "
        "version, which was not given",
        "pytest release_tests --release-version X.Y.Z",
    )


# The release version ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "changed"),
    [
        pytest.param((), skipping({}, SECTION, *SECTION_CASES, TAGS), id="common-version"),
        pytest.param(("--release-version", VERSION), {}, id="release-version-given"),
    ],
)
def test_a_package_left_behind_breaks_lockstep(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    options: tuple[str, ...],
    changed: Mapping[str, str],
) -> None:
    """Without --release-version there is no common version, so the changelog and tag cases
    that need one are not checked; with it, the package left behind is named."""
    replace(release_repo, pyproject(META), STATIC_VERSION, f'version = "{PREVIOUS_VERSION}"')
    commit(release_repo, f"Leave {META} at {PREVIOUS_VERSION}")

    run = run_release_gates(run_gates, release_repo, *options)

    failed = {AGREE: "failed", above(META): "failed"}
    assert_outcomes(run, {**failed, **changed}, gates=GATES)
    assert_says(
        run,
        above(META),
        pyproject(META),
        f"{META} {PREVIOUS_VERSION} is equal to the last release {PREVIOUS_VERSION} "
        f"(tag v{PREVIOUS_VERSION})",
        "bump the version above 0.1.0 (for example to 0.1.1) and commit it",
    )
    if options:
        assert_says(
            run,
            AGREE,
            pyproject(META),
            f"{META} is at {PREVIOUS_VERSION}, but the release is {VERSION} (lockstep versioning)",
            f'set its version to "{VERSION}", or release {PREVIOUS_VERSION} instead',
        )
        return
    assert_says(
        run,
        AGREE,
        str(release_repo.root / CONFIG),
        "lockstep versioning, but the packages are not at one version: "
        f"{CORE} {VERSION}, {SCHEDULER} {VERSION}, {META} {PREVIOUS_VERSION}",
        "set every package to the release version, or give --release-version",
    )
    for case in [SECTION, *SECTION_CASES]:
        assert_says(run, case, "not checked: the release version is not known")


def test_a_release_version_the_files_do_not_have(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """Every package disagrees, and the changelog has no section for the version given."""
    run = run_release_gates(run_gates, release_repo, "--release-version", "0.3.0")

    failed = {AGREE: "failed", SECTION: "failed"}
    assert_outcomes(run, skipping(failed, *SECTION_CASES), gates=GATES)
    assert_says(
        run,
        AGREE,
        *(f"{pyproject(p)} [project] version: {p} is at {VERSION}" for p in (CORE, SCHEDULER)),
        f"{pyproject(META)} [project] version: {META} is at {VERSION}, but the release is 0.3.0",
        f'set its version to "0.3.0", or release {VERSION} instead',
    )
    assert_says(
        run,
        SECTION,
        "CHANGELOG.md, line",
        f"the changelog has no section for 0.3.0; the newest section is for {VERSION}",
        f'above "## [{VERSION}] - 2026-11-20"',
    )
    for case in SECTION_CASES:
        assert_says(run, case, "not checked: CHANGELOG.md has no section for 0.3.0")


# The last release -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag_format", "tagged"),
    [
        pytest.param("v{version}", (CORE, SCHEDULER, META), id="repository-tags"),
        pytest.param(RENAMED_TAG_FORMAT, (SCHEDULER,), id="per-package-tags"),
    ],
)
@pytest.mark.parametrize(
    ("last", "relation"),
    [
        pytest.param(None, "", id="no-later-tag"),
        pytest.param(VERSION, "equal to", id="equal"),
        pytest.param("0.3.0", "below", id="below"),
    ],
)
def test_a_version_not_above_the_last_release_fails(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    tag_format: str,
    tagged: tuple[str, ...],
    last: str | None,
    relation: str,
) -> None:
    """A repository-wide tag is every package's last release; a per-package tag is only
    its own package's (the others stay at their {name}-v0.1.0 tags)."""
    if tag_format != "v{version}":
        set_config(release_repo, "tag", tag_format)
        commit(release_repo, "Tag each package's releases")
        for package in (CORE, SCHEDULER, META):
            release_repo.git("tag", f"{package}-v{PREVIOUS_VERSION}", f"v{PREVIOUS_VERSION}")
    if last is not None:  # on the commit before HEAD: an earlier release
        for tag in {tag_format.format(name=package, version=last) for package in tagged}:
            release_repo.git("tag", tag, "HEAD~1")

    run = run_release_gates(run_gates, release_repo)

    if last is None:
        assert_outcomes(run, gates=GATES)
        return
    failed = {above(package): "failed" for package in tagged}
    if relation == "equal to":  # the release's own tag is already taken by the earlier commit
        failed[TAGS] = "failed"
    assert_outcomes(run, failed, gates=GATES)
    for package in tagged:
        assert_says(
            run,
            above(package),
            f"{pyproject(package)} [project] version",
            f"{package} {VERSION} is {relation} the last release {last} "
            f"(tag {tag_format.format(name=package, version=last)})",
            f"bump the version above {last}",
            "and commit it",
        )


def test_a_later_release_of_another_line_is_not_the_last_release(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """A backport: v0.3.0 tags a commit of another line, outside HEAD's history; the last
    release of HEAD's line is still the one before it, so the release passes."""
    release_repo.git("checkout", "-q", "-b", "next", "HEAD~1")
    release_repo.git("commit", "-q", "--allow-empty", "-m", "The next line")
    release_repo.git("tag", "v0.3.0")
    release_repo.git("checkout", "-q", "main")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, gates=GATES)


@pytest.mark.parametrize(
    ("tag_format", "packages"),
    [
        pytest.param("v{version}", ("",), id="repository-tag"),
        pytest.param(RENAMED_TAG_FORMAT, (CORE, SCHEDULER, META), id="per-package-tags"),
    ],
)
def test_the_releases_own_tags_on_head_are_not_an_earlier_release(
    release_repo: ReleaseRepo, run_gates: GateRunner, tag_format: str, packages: tuple[str, ...]
) -> None:
    """A publish run of this commit that pushed its tags and was re-run (to resume) finds
    them on HEAD: they name this release, not one before it."""
    if tag_format != "v{version}":
        set_config(release_repo, "tag", tag_format)
        commit(release_repo, "Tag each package's releases")
    for package in packages:
        release_repo.git(
            "tag", "-a", "-m", "release", tag_format.format(name=package, version=VERSION)
        )

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, gates=GATES)


def test_an_uncommitted_bump_fails_its_package_and_the_clean_tree_check(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """HEAD holds the meta package at the previous version; only the work tree is bumped."""
    replace(release_repo, pyproject(META), STATIC_VERSION, f'version = "{PREVIOUS_VERSION}"')
    commit(release_repo, f"Leave {META} at {PREVIOUS_VERSION}")
    replace(release_repo, pyproject(META), f'version = "{PREVIOUS_VERSION}"', STATIC_VERSION)

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, {committed(META): "failed", CLEAN: "failed"}, gates=GATES)
    assert_says(
        run,
        committed(META),
        f"{pyproject(META)}: has uncommitted changes, so the version released would not be HEAD's",
        f"commit it (git commit -am 'Release {VERSION}')",
    )
    assert_says(run, CLEAN, f"modified: {pyproject(META)}")


# Internal ranges --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("package", "old", "new", "fix"),
    [
        pytest.param(
            SCHEDULER,
            f"{CORE}>=0.2,<0.3",
            f"{CORE}>=0.1,<0.2",
            f'"{CORE}>=0.2,<0.3"',
            id="scheduler-range-excludes-core",
        ),
        pytest.param(
            META,
            f"{SCHEDULER}>=0.2,<0.3",
            f"{SCHEDULER}=={PREVIOUS_VERSION}",
            f'"{SCHEDULER}>=0.2,<0.3"',
            id="meta-pins-old-scheduler",
        ),
    ],
)
def test_a_range_that_excludes_the_release_fails_naming_both_packages(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    package: str,
    old: str,
    new: str,
    fix: str,
) -> None:
    replace(release_repo, pyproject(package), old, new)
    commit(release_repo, f"{package} requires {new}")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, {ranges(package): "failed"}, gates=GATES)
    line = line_of(release_repo, pyproject(package), new)
    assert_says(
        run,
        ranges(package),
        f"{pyproject(package)}, line {line}",
        f"{package} requires {new}, which excludes {VERSION}",
        f"widen the range to admit {VERSION}: {fix}",
    )


@pytest.mark.parametrize(
    ("internal_range", "admitted"),
    [
        pytest.param(">=0.2,<0.4", False, id="final-release-range"),
        pytest.param(">=0.3.0rc1,<0.4", True, id="range-names-the-pre-release"),
    ],
)
def test_a_pre_release_is_admitted_only_where_the_range_names_one(
    release_repo: ReleaseRepo, run_gates: GateRunner, internal_range: str, admitted: bool
) -> None:
    """As pip resolves: `>=0.2,<0.4` holds 0.3.0rc1, but pip would not choose it."""
    set_version(release_repo, "0.3.0rc1", internal_range=internal_range)
    commit(release_repo, "Release 0.3.0rc1")

    run = run_release_gates(run_gates, release_repo)

    if admitted:
        assert_outcomes(run, gates=GATES)
        return
    assert_outcomes(run, {ranges(SCHEDULER): "failed", ranges(META): "failed"}, gates=GATES)
    excluded = (
        "which excludes 0.3.0rc1 (a pre-release is chosen only where the range names a pre-release)"
    )
    widen = 'widen the range to admit 0.3.0rc1: "{}>=0.3.0rc1,<0.4"'
    assert_says(
        run,
        ranges(SCHEDULER),
        f"{pyproject(SCHEDULER)}, line {line_of(release_repo, pyproject(SCHEDULER), CORE + '>=')}",
        f"{SCHEDULER} requires {CORE}{internal_range}, {excluded}",
        widen.format(CORE),
    )
    assert_says(
        run,
        ranges(META),
        f"{META} requires {CORE}{internal_range}, {excluded}",
        f"{META} requires {SCHEDULER}{internal_range}, {excluded}",
        widen.format(CORE),
        widen.format(SCHEDULER),
    )


# Selection and other repositories ---------------------------------------------------------------


def test_minus_k_selects_one_packages_cases(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    run = run_release_gates(run_gates, release_repo, "-k", CORE)

    assert run.outcomes() == {f"{case}[{CORE}]": "passed" for case in VERSIONS_PACKAGE_CASES}
    assert run.result.ret == pytest.ExitCode.OK
    assert_no_traceback(run)


def single_package_repo(tmp_path: Path) -> ReleaseRepo:
    return make_release_repo(single_package(tmp_path / "tree"), tmp_path / "work")


def independent_repo(tmp_path: Path) -> ReleaseRepo:
    """The renamed example, versioned independently, a {name}-v{version} tag per package
    at the previous release, and its base package a patch ahead of the others."""
    tree = renamed_example(tmp_path / "tree")
    config = tree / CONFIG
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('"lockstep"', '"independent"'), encoding="utf-8")
    repo = make_release_repo(tree, tmp_path / "work")
    for package in ("acme-base", "acme-jobs", "acme"):
        repo.git("tag", f"{package}-v{PREVIOUS_VERSION}", f"v{PREVIOUS_VERSION}")
    replace(repo, pyproject("acme-base"), STATIC_VERSION, 'version = "0.2.1"')
    commit(repo, "Release acme-base 0.2.1")
    return repo


@pytest.mark.parametrize(
    ("build", "packages"),
    [
        pytest.param(single_package_repo, ("tidy-notes",), id="single-package"),
        pytest.param(independent_repo, ("acme-base", "acme-jobs", "acme"), id="independent"),
    ],
)
def test_the_baseline_holds_for_other_repositories(
    tmp_path: Path,
    run_gates: GateRunner,
    build: Callable[[Path], ReleaseRepo],
    packages: tuple[str, ...],
) -> None:
    """The release version is the one the v{version} tag names: the top package's."""
    repo = build(tmp_path)

    run = run_release_gates(run_gates, repo, "--release-version", VERSION)

    assert_outcomes(run, gates=GATES, packages=packages)
    assert publish_order_property(run) == ", ".join(packages)
