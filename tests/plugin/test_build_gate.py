"""Gate 6, build, against real copies of the example: real ``python -m build`` runs (their
build requirements come from the package index), ``twine check`` and the built files read.

Each test applies a defect (or two, in different packages) to ``release_repo``, commits and
pushes it, runs the build gate alone and asserts the cases that changed against their
baseline (all pass) and the words of the failure: the package and file, what is wrong, and
the fix. The untouched example's
build (every case passes, the tree stays clean) is asserted by test_publish's plain run of
every gate, which builds it too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugin.baseline import (
    BUILD_PACKAGE_CASES,
    EXAMPLE_PACKAGES,
    assert_outcomes,
    assert_says,
)
from tests.plugin.defects import CORE, META, SCHEDULER, commit, pyproject, replace
from tests.plugin.gate_runs import GateRun, GateRunner
from tests.plugin.repos import VERSION, ReleaseRepo

pytestmark = [pytest.mark.slow]

GATES = ("build",)
BUILDS, NAMED, METADATA, TWINE, IMPORTS, STRAY, SDIST, MODULES = BUILD_PACKAGE_CASES
HATCHLING = 'requires = ["hatchling>=1.24"]'  # the [build-system] of scheduler and the meta dist


def case(test: str, package: str) -> str:
    """A case as JUnit names it: the test and the dist it ran for."""
    return f"{test}[{package}]"


def wheel_name(package: str) -> str:
    """The pure-Python wheel of ``package`` at the release version."""
    return f"{package.replace('-', '_')}-{VERSION}-py3-none-any.whl"


def sdist_name(package: str) -> str:
    """The sdist of ``package`` at the release version."""
    return f"{package.replace('-', '_')}-{VERSION}.tar.gz"


def run_build_gate(run_gates: GateRunner, repo: ReleaseRepo) -> GateRun:
    return run_gates(repo.root, "-m", "build")


def assert_fails_alone(run: GateRun, test: str, package: str, *words: str) -> None:
    """Of the build gate's cases, only ``test`` of ``package`` changed: it failed, and its
    message holds every one of ``words``."""
    assert_outcomes(run, {case(test, package): "failed"}, gates=GATES)
    assert_says(run, case(test, package), *words)


# A requirement no installer can satisfy, offline or not: the file it names does not exist.
MISSING_BUILD_REQUIREMENT = "nonexistent-build-dep-xyz @ file:///nonexistent/x.tar.gz"


def test_a_build_that_fails_fails_its_package_and_skips_the_checks_of_its_files(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    requires = f'requires = ["hatchling", "{MISSING_BUILD_REQUIREMENT}"]'
    replace(release_repo, pyproject(META), HATCHLING, requires)
    commit(release_repo, "Require a build dependency that cannot exist")

    run = run_build_gate(run_gates, release_repo)

    unchecked = [case(test, META) for test in BUILD_PACKAGE_CASES if test != BUILDS]
    assert_outcomes(
        run,
        {case(BUILDS, META): "failed", **dict.fromkeys(unchecked, "skipped")},
        gates=GATES,
    )
    assert_says(
        run,
        case(BUILDS, META),
        f"{META}, {pyproject(META)}: the build failed: `python -m build` failed (exit 1)",
        "nonexistent-build-dep-xyz",  # the backend's output names the requirement
        f"fix: make `python -m build packages/{META}` succeed from a clean checkout",
    )
    assert_says(
        run,
        case(METADATA, META),
        "not checked: the build produced no sdist or wheel (see test_build_succeeds)",
    )


def test_a_wheel_that_ships_its_tests_or_lacks_a_module_the_sdist_lacks_fails(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    # setuptools' find (include = ["aetherflow.core*"]) picks the subpackage up.
    tests = f"packages/{CORE}/src/aetherflow/core/tests"
    release_repo.write(f"{tests}/__init__.py", "")
    release_repo.write(f"{tests}/test_flow.py", "def test_flow() -> None:\n    assert True\n")
    # The scheduler's sdist leaves a module out: the wheel, built from the sdist, lacks it.
    release_repo.write(
        pyproject(SCHEDULER),
        (release_repo.root / pyproject(SCHEDULER)).read_text(encoding="utf-8")
        + '\n[tool.hatch.build.targets.sdist]\nexclude = ["src/aetherflow/scheduler/plan.py"]\n',
    )
    commit(release_repo, "Keep the core's tests inside its package; trim the scheduler's sdist")

    run = run_build_gate(run_gates, release_repo)

    assert_outcomes(
        run, {case(STRAY, CORE): "failed", case(MODULES, SCHEDULER): "failed"}, gates=GATES
    )
    assert_says(
        run,
        case(STRAY, CORE),
        f"{CORE}, {wheel_name(CORE)}: the wheel ships tests: "
        "aetherflow/core/tests/__init__.py, aetherflow/core/tests/test_flow.py",
        "fix: keep the tests out of the wheel: "
        '[tool.setuptools.packages.find] exclude = ["aetherflow.core.tests*"]',
    )
    assert_says(
        run,
        case(MODULES, SCHEDULER),
        f"{SCHEDULER}, {sdist_name(SCHEDULER)}: the sdist lacks the sources of modules of the "
        "import packages: src/aetherflow/scheduler/plan.py; so the wheel, built from the sdist "
        "as every installer builds it, lacks the modules",
        "fix: include their sources in the sdist: "
        "add it to [tool.hatch.build.targets.sdist] include",
    )


# reStructuredText that docutils rejects: an inline literal that never ends.
BROKEN_RST = "aetherflow-scheduler\n====================\n\nRuns ``flows in order.\n"


def test_a_readme_that_does_not_render_fails_twine_check(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    release_repo.write(f"packages/{SCHEDULER}/README.rst", BROKEN_RST)
    replace(release_repo, pyproject(SCHEDULER), 'readme = "README.md"', 'readme = "README.rst"')
    commit(release_repo, "Write the scheduler's README in reStructuredText")

    run = run_build_gate(run_gates, release_repo)

    assert_fails_alone(
        run,
        TWINE,
        SCHEDULER,
        f"{SCHEDULER}, {sdist_name(SCHEDULER)}, {wheel_name(SCHEDULER)}: "
        "`twine check --strict` rejects the files; it says:",
        f"/{wheel_name(SCHEDULER)}: FAILED",  # twine names the built file by its scratch path
        f"/{sdist_name(SCHEDULER)}: FAILED",
        "`long_description` has syntax errors in markup",
        "line 4: Warning: Inline literal start-string without end-string.",
        "fix: fix what twine names; most often the README: it must render on PyPI "
        "(valid reStructuredText",
    )


# poetry-core < 2 builds from [tool.poetry] and ignores [project]: here the two tables
# disagree on the range of aetherflow-core (the other fields say the same).
POETRY_CORE = 'requires = ["poetry-core>=1.9,<2"]\nbuild-backend = "poetry.core.masonry.api"'
POETRY_TABLES = f"""\
[tool.poetry]
name = "aetherflow-scheduler"
version = "{VERSION}"
description = "Puts the steps of an Aetherflow flow in dependency order and runs them."
authors = ["Aetherflow developers"]
license = "MIT"
readme = "README.md"
packages = [{{ include = "aetherflow", from = "src" }}]

[tool.poetry.dependencies]
python = ">=3.10"
aetherflow-core = ">=0.1,<0.3"

"""


def test_metadata_that_disagrees_with_pyproject_fails_the_metadata_check(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    path = pyproject(SCHEDULER)
    replace(release_repo, path, f'{HATCHLING}\nbuild-backend = "hatchling.build"', POETRY_CORE)
    replace(release_repo, path, "[tool.hatch.", f"{POETRY_TABLES}[tool.hatch.")
    commit(release_repo, "Build the scheduler with poetry-core 1")

    run = run_build_gate(run_gates, release_repo)

    lacks = "lacks requirements that pyproject.toml declares: aetherflow-core<0.3,>=0.2"
    declares = "declares requirements that pyproject.toml does not: aetherflow-core (>=0.1,<0.3)"
    assert_fails_alone(
        run,
        METADATA,
        SCHEDULER,
        f"{SCHEDULER}, {wheel_name(SCHEDULER)} METADATA: {lacks}",
        f"{SCHEDULER}, {wheel_name(SCHEDULER)} METADATA: {declares}",
        f"{SCHEDULER}, {sdist_name(SCHEDULER)} PKG-INFO: {lacks}",
        f"{SCHEDULER}, {sdist_name(SCHEDULER)} PKG-INFO: {declares}",
        "fix: the build backend (poetry.core.masonry.api) must write what [project] declares: "
        "make it read [project] (poetry-core < 2 reads [tool.poetry] instead)",
    )


def test_a_second_run_reuses_the_builds_and_says_so_and_no_build_cache_builds_afresh(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    tmp_path: Path,
    shared_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A build cache of this test's own, so that the first run builds whatever others built;
    # the installers' cache stays the shared one.
    cache = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("UV_CACHE_DIR", str(shared_cache / "uv"))
    reused = "reused from the build cache (sha256 checked): " + ", ".join(
        f"{package} {VERSION}" for package in EXAMPLE_PACKAGES
    )
    said = []
    for options in ((), (), ("--no-build-cache",)):
        run = run_gates(release_repo.root, "-m", "build", *options)
        assert_outcomes(run, gates=GATES)  # reused files pass every check fresh ones do
        said.append(reused in run.output)
    assert said == [False, True, False]  # cold, warm, then built afresh
    assert len(list((cache / "pytest-release" / "builds").iterdir())) == len(EXAMPLE_PACKAGES)
