"""What the gates say about an untouched release repo, and assertions against it.

Every plugin test applies one defect and asserts that exactly the cases it names changed;
this module is the one place that knows every gate's cases. A new gate adds its cases here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence

import pytest

from tests.plugin.gate_runs import QUICK_GATES, GateRun
from tests.plugin.repos import EXAMPLE

EXAMPLE_PACKAGES = ("aetherflow-core", "aetherflow-scheduler", "aetherflow")

PREFLIGHT_CASES: tuple[str, ...] = (
    "test_target_is_a_git_work_tree",
    "test_packages_can_be_read",
    "test_working_tree_is_clean",
    "test_on_the_release_branch",
    "test_up_to_date_with_the_remote",
    "test_ci_is_green_for_head",
    "test_upload_credentials_are_present[testpypi]",
    "test_upload_credentials_are_present[pypi]",
    "test_each_index_has_credentials_of_its_own",
    "test_release_tags_can_be_made_and_pushed",
)
# Off GitHub, the CI state of HEAD cannot be read: skipped, with the reason.
PREFLIGHT_SKIPPED = ("test_ci_is_green_for_head",)

VERSIONS_SHARED_CASES = ("test_publish_order", "test_packages_agree_on_the_release_version")
VERSIONS_PACKAGE_CASES = (
    "test_version_is_strict_semver",
    "test_version_is_above_the_last_release",
    "test_version_bump_is_committed",
    "test_internal_ranges_admit_the_release",
)
# The example's `public-api`: the api gate has one case per boundary module.
EXAMPLE_PUBLIC_API: tuple[str, ...] = ("aetherflow.core.api",)
API_CASE = "test_public_api_change_fits_the_release"
CHANGELOG_CASES: tuple[str, ...] = (
    "test_changelog_exists",
    "test_changelog_has_a_section_for_the_release",
    "test_release_section_is_dated",
    "test_release_section_has_known_non_empty_subsections",
    "test_breaking_release_has_migration_notes",
    "test_changelog_is_committed",
)
# The example's `smoke` commands: one case each of the cli gate.
EXAMPLE_SMOKE: tuple[str, ...] = tuple(
    tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "pytest-release"
    ]["smoke"]
)
TESTS_CASES: tuple[str, ...] = ("test_target_test_suite_is_green",)
EDITABLE_PACKAGE_CASES = ("test_editable_install", "test_import_packages_import_with_the_version")
CLI_PACKAGE_CASES = ("test_console_scripts_answer_help",)
CLI_SMOKE_CASE = "test_smoke_command_ends_cleanly"
BUILD_PACKAGE_CASES = (
    "test_build_succeeds",
    "test_one_sdist_and_one_wheel_named_for_the_release",
    "test_metadata_matches_pyproject",
    "test_twine_check_passes",
    "test_wheel_holds_the_import_packages",
    "test_wheel_ships_no_stray_files",
    "test_sdist_holds_pyproject_and_license_files",
    "test_wheel_has_every_module_of_the_tree",
)
REHEARSAL_UPLOAD_CASE = "test_upload_to_the_rehearsal_index"
REHEARSAL_INSTALL_CASE = "test_install_from_the_rehearsal_index"
REHEARSAL_PACKAGE_CASES = (
    "test_installed_dist_is_the_uploaded_wheel",
    "test_installed_import_packages_import_with_the_version",
    "test_installed_console_scripts_answer_help",
)
REHEARSAL_PYTHON_SMOKE_CASE = "test_installed_python_smoke"
REHEARSAL_SMOKE_CASE = "test_installed_smoke_command_ends_cleanly"
TESTPYPI_UPLOAD_CASE = "test_upload_to_testpypi"
TESTPYPI_INSTALL_CASE = "test_install_from_testpypi"
TESTPYPI_PACKAGE_CASES = (
    "test_installed_from_testpypi_is_the_uploaded_wheel",
    "test_installed_from_testpypi_imports_with_the_version",
    "test_installed_from_testpypi_console_scripts_answer_help",
)
TESTPYPI_PYTHON_SMOKE_CASE = "test_installed_from_testpypi_python_smoke"
TESTPYPI_SMOKE_CASE = "test_installed_from_testpypi_smoke_command_ends_cleanly"
PYPI_UPLOAD_CASE = "test_upload_to_pypi"
TAG_CASES = ("test_release_tags_on_head", "test_release_tags_pushed")
GITHUB_RELEASE_CASES = ("test_github_release_with_the_changelog_notes",)
PUBLISH_GATES = ("testpypi", "pypi", "tag", "github-release")


def _per_package(cases: Sequence[str], packages: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{case}[{package}]" for case in cases for package in packages)


def _installed_cases(
    cases: Sequence[str],
    smoke_cases: tuple[str, str],
    packages: Sequence[str],
    smoke: Sequence[str],
) -> tuple[str, ...]:
    """A gate that uploads per package, installs once, then checks per package and smokes:
    the rehearsal and testpypi."""
    upload, install, *package_cases = cases
    python_smoke, smoke_case = smoke_cases
    return (
        *_per_package((upload,), packages),
        install,
        *_per_package(package_cases, packages),
        python_smoke,
        *(f"{smoke_case}[{command}]" for command in smoke),
    )


def gate_cases(
    gate: str, packages: Sequence[str] = EXAMPLE_PACKAGES, smoke: Sequence[str] = EXAMPLE_SMOKE
) -> tuple[str, ...]:
    """The case names (with parameters) of one gate, in the order they run."""
    if gate == "preflight":
        return PREFLIGHT_CASES
    if gate == "versions":
        return VERSIONS_SHARED_CASES + _per_package(VERSIONS_PACKAGE_CASES, packages)
    if gate == "api":
        return tuple(f"{API_CASE}[{module}]" for module in EXAMPLE_PUBLIC_API)
    if gate == "changelog":
        return CHANGELOG_CASES
    if gate == "tests":
        return TESTS_CASES
    if gate == "editable":
        return _per_package(EDITABLE_PACKAGE_CASES, packages)
    if gate == "cli":
        smoke_cases = tuple(f"{CLI_SMOKE_CASE}[{command}]" for command in smoke)
        return _per_package(CLI_PACKAGE_CASES, packages) + smoke_cases
    if gate == "build":
        return _per_package(BUILD_PACKAGE_CASES, packages)
    if gate == "rehearsal":
        return _installed_cases(
            (REHEARSAL_UPLOAD_CASE, REHEARSAL_INSTALL_CASE, *REHEARSAL_PACKAGE_CASES),
            (REHEARSAL_PYTHON_SMOKE_CASE, REHEARSAL_SMOKE_CASE),
            packages,
            smoke,
        )
    if gate == "testpypi":
        return _installed_cases(
            (TESTPYPI_UPLOAD_CASE, TESTPYPI_INSTALL_CASE, *TESTPYPI_PACKAGE_CASES),
            (TESTPYPI_PYTHON_SMOKE_CASE, TESTPYPI_SMOKE_CASE),
            packages,
            smoke,
        )
    if gate == "pypi":
        return _per_package((PYPI_UPLOAD_CASE,), packages)
    if gate == "tag":
        return TAG_CASES
    if gate == "github-release":
        return GITHUB_RELEASE_CASES
    raise ValueError(f"no cases known for gate {gate!r}")


GATES_SO_FAR = QUICK_GATES  # what run_gates selects unless a test passes its own -m


def baseline(
    gates: Iterable[str] = GATES_SO_FAR, packages: Sequence[str] = EXAMPLE_PACKAGES
) -> dict[str, str]:
    """Outcomes of a committed, pushed, bumped release repo off GitHub: all pass but CI and
    the GitHub release, which have nothing to check there."""
    return {
        case: "skipped" if case in PREFLIGHT_SKIPPED or gate == "github-release" else "passed"
        for gate in gates
        for case in gate_cases(gate, packages)
    }


def assert_outcomes(
    run: GateRun,
    changed: Mapping[str, str] | None = None,
    *,
    gates: Iterable[str] = GATES_SO_FAR,
    packages: Sequence[str] = EXAMPLE_PACKAGES,
    extra: Mapping[str, str] | None = None,
    target_traceback_ok: bool = False,
) -> None:
    """Every case of ``gates`` kept its baseline outcome but those in ``changed``; ``extra``
    are cases outside the known gates. The exit code follows, and no traceback shows but,
    with ``target_traceback_ok``, one of the target's code that a failure's message quotes
    (an import, a console script)."""
    expected = baseline(gates, packages)
    changed = dict(changed or {})
    unknown = set(changed) - set(expected)
    assert not unknown, f"not a case of {list(gates)}: {sorted(unknown)}"
    expected |= changed | dict(extra or {})
    assert run.outcomes() == expected, run.output
    failed = "failed" in expected.values()
    assert run.result.ret == (pytest.ExitCode.TESTS_FAILED if failed else pytest.ExitCode.OK)
    target_lines: set[str] = set()
    if target_traceback_ok:
        failures = [case for case, outcome in expected.items() if outcome == "failed"]
        target_lines = {line for case in failures for line in run.message(case).splitlines()}
    _assert_no_traceback(run, target_lines)


def assert_no_traceback(run: GateRun) -> None:
    """No internal error, no traceback, and no line of the plugin's code quoted.

    pytest's own ``SKIPPED [n] FILE:LINE: reason`` summary lines are left out: for a gate
    defined in the plugin, that location is inside the plugin by construction.
    """
    _assert_no_traceback(run, set())


def _assert_no_traceback(run: GateRun, target_lines: set[str]) -> None:
    """``assert_no_traceback``, where a line of ``target_lines`` may hold a traceback."""
    lines = run.output.splitlines()
    tracebacks = [line for line in lines if "Traceback" in line and line not in target_lines]
    assert not [line for line in lines if "INTERNALERROR" in line] + tracebacks
    quoted = [
        line for line in lines if "pytest_release/" in line and not line.startswith("SKIPPED [")
    ]
    assert not quoted, "\n".join(quoted)


def assert_says(run: GateRun, case: str, *words: str) -> None:
    """The failure or skip message of ``case`` holds every one of ``words``."""
    message = run.message(case)
    missing = [word for word in words if word not in message]
    assert not missing, f"{case}: {missing} not in the message:\n{message}"
