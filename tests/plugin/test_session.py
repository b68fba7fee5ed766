"""The release session as a whole: reading the target, settings, order, JUnit, the final
checklist, pytest's own options, xdist, the `--monorepo PATH` pitfall and staying inert."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from pytest_release.checklist import GATE_NAMES, GATES, gate_named
from pytest_release.suite import test_00_preflight as preflight_suite
from tests.plugin.conftest import SUITE, VERSION, GateRun, GateRunner, ReleaseRepo

# The preflight cases in definition order, and their outcome on `release_repo` with the
# local indexes: everything passes, the CI check is skipped (the remote is not on GitHub).
PREFLIGHT_CASES: tuple[str, ...] = (
    "test_target_is_a_git_work_tree",
    "test_packages_can_be_read",
    "test_working_tree_is_clean",
    "test_on_the_release_branch",
    "test_up_to_date_with_the_remote",
    "test_ci_is_green_for_head",
    "test_upload_credentials_are_present[testpypi]",
    "test_upload_credentials_are_present[pypi]",
)
BASELINE: dict[str, str] = {
    case: "skipped" if case == "test_ci_is_green_for_head" else "passed" for case in PREFLIGHT_CASES
}
PREFLIGHT_MODULE = "release_tests/test_00_preflight.py"
TRACEBACK = "Traceback (most recent call last)"
CORE_PYPROJECT = "packages/aetherflow-core/pyproject.toml"
PUBLISH_ORDER_LINE = (
    f"release packages, in publish order: aetherflow-core {VERSION}, "
    f"aetherflow-scheduler {VERSION}, aetherflow {VERSION}"
)

# Extra gate cases written beside the suite. This module sorts before the preflight module,
# and defines the api case before the versions case: checklist order must win over both.
EXTRA_GATES_MODULE = "test_000_extra_gates.py"
EXTRA_GATES_SOURCE = '''\
"""Extra gate cases for the plugin tests."""

import pytest


@pytest.mark.api
def test_extra_api_case() -> None:
    pytest.skip("the extra api case has nothing to compare")


@pytest.mark.versions
def test_extra_versions_case() -> None:
    assert True
'''
EXTRA_GATES_OUTCOMES = {"test_extra_versions_case": "passed", "test_extra_api_case": "skipped"}
# A publish gate, sorting after everything else.
EXTRA_PUBLISH_MODULE = "test_zz_extra_publish.py"
EXTRA_PUBLISH_SOURCE = '''\
"""An extra opt-in gate case for the plugin tests."""

import pytest

pytestmark = [pytest.mark.tag, pytest.mark.publish]


def test_extra_tag_case() -> None:
    assert True
'''


def assert_outcomes(
    run: GateRun,
    changed: Mapping[str, str] | None = None,
    *,
    extra: Mapping[str, str] | None = None,
) -> None:
    """Every preflight case kept its BASELINE outcome except ``changed``; ``extra`` are the
    outcomes of cases beyond the preflight gate. Compares the whole JUnit outcome table."""
    changed, extra = dict(changed or {}), dict(extra or {})
    assert set(changed) <= set(BASELINE), f"not a preflight case: {set(changed) - set(BASELINE)}"
    assert not set(extra) & set(BASELINE), "extra cases must not be preflight cases"
    assert run.outcomes() == {**BASELINE, **changed, **extra}, run.output


def junit_properties(run: GateRun) -> dict[str, list[tuple[str, str]]]:
    """Test case name -> its JUnit properties (name, value), in file order."""
    root = ElementTree.parse(run.junit).getroot()
    return {
        case.attrib["name"]: [
            (prop.attrib["name"], prop.attrib["value"]) for prop in case.iter("property")
        ]
        for case in root.iter("testcase")
    }


def assert_no_secret(run: GateRun, *secrets: str) -> None:
    """No secret value appears in stdout, stderr or the JUnit file."""
    junit_text = run.junit.read_text(encoding="utf-8") if run.junit.exists() else ""
    for secret in secrets:
        assert secret not in run.output, "a secret was printed"
        assert secret not in junit_text, f"a secret was written to {run.junit}"


def executed_cases(output: str) -> list[str]:
    """Node ids in the order `-v` reported them as run."""
    return re.findall(
        r"^(release_tests/\S+::\S+) (?:PASSED|FAILED|SKIPPED|ERROR)\b", output, re.MULTILINE
    )


def preflight_nodeids() -> list[str]:
    return [f"{PREFLIGHT_MODULE}::{case}" for case in PREFLIGHT_CASES]


def checklist_section(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The final "release checklist" section: each gate's line and the lines beneath it."""
    start = next(
        i for i, line in enumerate(lines) if re.fullmatch(r"=+ release checklist =+", line)
    )
    entries: list[tuple[str, list[str]]] = []
    for line in lines[start + 1 :]:
        if line.startswith(("=", "-")):
            break
        if line.startswith(" "):
            entries[-1][1].append(line.strip())
        else:
            entries.append((line, []))
    return entries


def write_extra_gates(pytester: pytest.Pytester) -> None:
    suite = pytester.path / "release_tests"
    (suite / EXTRA_GATES_MODULE).write_text(EXTRA_GATES_SOURCE, encoding="utf-8")
    (suite / EXTRA_PUBLISH_MODULE).write_text(EXTRA_PUBLISH_SOURCE, encoding="utf-8")


def assert_usage_error(result: pytest.RunResult) -> str:
    """A clean usage error: exit code 4, no traceback, no gate run. Returns the output."""
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output
    assert "INTERNALERROR" not in output
    assert TRACEBACK not in output
    assert not executed_cases(output)
    assert not re.search(r"^(PASSED|FAILED|SKIPPED|ERROR) release_tests", output, re.MULTILINE)
    return output


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}: the example changed"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_preflight_cases_are_listed_in_definition_order() -> None:
    """PREFLIGHT_CASES, which the other tests rely on, follows the suite module."""
    defined: list[str] = []
    for name, function in vars(preflight_suite).items():
        if not name.startswith("test_"):
            continue
        marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
        defined += [f"{name}[{value}]" for value in marks[0].args[1]] if marks else [name]
    assert list(PREFLIGHT_CASES) == defined


# --- reading the target ---------------------------------------------------------------


def _malformed_toml(pyproject: Path) -> list[str]:
    lines = pyproject.read_text(encoding="utf-8").splitlines()
    line = lines.index(f'version = "{VERSION}"') + 1
    replace_in(pyproject, f'version = "{VERSION}"', f'version = "{VERSION}')
    return [CORE_PYPROJECT, f"line {line}", "malformed TOML"]


def _no_project_table(pyproject: Path) -> list[str]:
    replace_in(pyproject, "[project]\n", "[projekt]\n")
    return [CORE_PYPROJECT, "no [project] table"]


def _dependency_cycle(pyproject: Path) -> list[str]:
    replace_in(pyproject, "dependencies = []", 'dependencies = ["aetherflow-scheduler>=0.2,<0.3"]')
    return [
        "internal dependencies form a cycle",
        "aetherflow-core -> aetherflow-scheduler -> aetherflow-core",
        CORE_PYPROJECT,
    ]


@pytest.mark.parametrize(
    "defect",
    [_malformed_toml, _no_project_table, _dependency_cycle],
    ids=["malformed-toml", "no-project-table", "dependency-cycle"],
)
def test_a_package_that_cannot_be_read_fails_only_that_case(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    defect: Callable[[Path], list[str]],
) -> None:
    words = defect(release_repo.root / CORE_PYPROJECT)
    release_repo.commit_all("A defect, committed so that the tree stays clean")

    run = run_gates(release_repo.root)

    assert_outcomes(run, {"test_packages_can_be_read": "failed"})
    message = run.message("test_packages_can_be_read")
    for word in words:
        assert word in message
    assert TRACEBACK not in run.output
    assert "release packages: cannot be read (see the preflight gate)" in run.output


# --- settings and options ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "args", "environ", "words"),
    [
        pytest.param(
            ('branch = "main"', 'brnach = "main"'),
            (),
            {},
            ["'brnach'", "[tool.pytest-release]", "pyproject.toml", "Did you mean 'branch'?"],
            id="unknown-key",
        ),
        pytest.param(
            ('versioning = "lockstep"', 'versioning = "both"'),
            (),
            {},
            ["versioning", "'both'", "pyproject.toml", "'lockstep', 'independent'"],
            id="bad-value",
        ),
        pytest.param(
            None,
            ("--release-version", "banana"),
            {},
            ["--release-version", "'banana'", "not a version", "X.Y.Z"],
            id="bad-release-version",
        ),
        pytest.param(
            None,
            (),
            {"RELEASE_VERSION": "banana"},
            ["RELEASE_VERSION", "'banana'", "not a version"],
            id="bad-RELEASE_VERSION",
        ),
        pytest.param(
            None,
            ("--allow-unverified", "nonsense"),
            {},
            ["--allow-unverified nonsense", "no such check", "upstream", "ci"],
            id="bad-allow-unverified",
        ),
    ],
)
def test_a_bad_setting_is_a_usage_error(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    monkeypatch: pytest.MonkeyPatch,
    edit: tuple[str, str] | None,
    args: tuple[str, ...],
    environ: dict[str, str],
    words: list[str],
) -> None:
    pyproject = release_repo.root / "pyproject.toml"
    if edit:
        replace_in(pyproject, *edit)
        words = [*words, str(pyproject)]
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    run = run_gates(release_repo.root, *args)

    output = assert_usage_error(run.result)
    for word in words:
        assert word in output


@pytest.mark.parametrize(
    ("args", "environ", "version_line"),
    [
        pytest.param(
            ("--release-version", VERSION),
            {},
            f"release version: {VERSION} (from command line)",
            id="option",
        ),
        pytest.param(
            (),
            {"RELEASE_VERSION": VERSION},
            f"release version: {VERSION} (from RELEASE_VERSION)",
            id="environment",
        ),
        pytest.param(
            ("--release-version", VERSION),
            {"RELEASE_VERSION": "9.9.9"},
            f"release version: {VERSION} (from command line)",
            id="option-wins",
        ),
        pytest.param(
            (),
            {},
            "release version: not given: the packages' common version",
            id="not-given",
        ),
    ],
)
def test_header_names_the_target_and_where_the_release_version_came_from(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    environ: dict[str, str],
    version_line: str,
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    run = run_gates(release_repo.root, *args)

    assert_outcomes(run)
    lines = run.result.stdout.lines
    collected = next(i for i, line in enumerate(lines) if line.startswith("collected "))
    assert lines[collected + 1 : collected + 4] == [
        f"release target: {release_repo.root}",
        version_line,
        PUBLISH_ORDER_LINE,
    ]


# --- order, selection, JUnit, checklist ---------------------------------------------------


@pytest.mark.parametrize("seed", [1, 4242, 987654321])
def test_gates_run_in_checklist_order_under_pytest_randomly(
    release_repo: ReleaseRepo, run_gates: GateRunner, pytester: pytest.Pytester, seed: int
) -> None:
    write_extra_gates(pytester)

    run = run_gates(release_repo.root, "-v", "-p", "randomly", f"--randomly-seed={seed}")

    assert f"Using --randomly-seed={seed}" in run.output
    assert executed_cases(run.output) == [
        *preflight_nodeids(),
        f"release_tests/{EXTRA_GATES_MODULE}::test_extra_versions_case",
        f"release_tests/{EXTRA_GATES_MODULE}::test_extra_api_case",
    ]
    assert_outcomes(run, extra=EXTRA_GATES_OUTCOMES)


@pytest.mark.slow
def test_failed_first_and_last_failed_do_not_reorder_the_gates(
    release_repo: ReleaseRepo, run_gates: GateRunner, pytester: pytest.Pytester
) -> None:
    write_extra_gates(pytester)
    indexes = ("testpypi", "pypi")  # no credentials: the last two preflight cases fail
    credential_cases = {
        "test_upload_credentials_are_present[testpypi]": "failed",
        "test_upload_credentials_are_present[pypi]": "failed",
    }
    first = run_gates(release_repo.root, "-p", "no:randomly", indexes=indexes)
    assert_outcomes(first, credential_cases, extra=EXTRA_GATES_OUTCOMES)

    again = run_gates(release_repo.root, "-v", "-p", "no:randomly", "--ff", indexes=indexes)

    assert "run-last-failure: rerun previous 2 failures first" in again.output
    assert executed_cases(again.output) == [
        *preflight_nodeids(),
        f"release_tests/{EXTRA_GATES_MODULE}::test_extra_versions_case",
        f"release_tests/{EXTRA_GATES_MODULE}::test_extra_api_case",
    ]
    assert_outcomes(again, credential_cases, extra=EXTRA_GATES_OUTCOMES)

    only_failed = run_gates(release_repo.root, "-v", "-p", "no:randomly", "--lf", indexes=indexes)

    assert executed_cases(only_failed.output) == [
        f"{PREFLIGHT_MODULE}::{case}" for case in credential_cases
    ]


@pytest.mark.slow
def test_publish_gates_are_opt_in(
    release_repo: ReleaseRepo, run_gates: GateRunner, pytester: pytest.Pytester
) -> None:
    write_extra_gates(pytester)

    default = run_gates(release_repo.root, "-v")
    assert_outcomes(default, extra=EXTRA_GATES_OUTCOMES)
    assert "1 deselected" in default.output

    for expression in ("publish", "tag"):
        opted_in = run_gates(release_repo.root, "-v", "-m", expression)
        assert opted_in.outcomes() == {"test_extra_tag_case": "passed"}, opted_in.output
        assert executed_cases(opted_in.output) == [
            f"release_tests/{EXTRA_PUBLISH_MODULE}::test_extra_tag_case"
        ]

    with_preflight = run_gates(release_repo.root, "-v", "-m", "preflight or publish")
    assert_outcomes(with_preflight, extra={"test_extra_tag_case": "passed"})
    assert executed_cases(with_preflight.output) == [
        *preflight_nodeids(),
        f"release_tests/{EXTRA_PUBLISH_MODULE}::test_extra_tag_case",
    ]


@pytest.mark.parametrize("junit_family", [None, "xunit1", "xunit2", "legacy"])
def test_every_case_carries_its_gate_and_checklist_line_in_junit(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    pytester: pytest.Pytester,
    junit_family: str | None,
) -> None:
    """pytest writes `item.user_properties` as <properties> under every junit_family
    (xunit2's schema does not define them, but pytest emits them all the same)."""
    write_extra_gates(pytester)
    family = ("-o", f"junit_family={junit_family}") if junit_family else ()

    run = run_gates(release_repo.root, *family)

    assert_outcomes(run, extra=EXTRA_GATES_OUTCOMES)
    properties = junit_properties(run)
    gate_of_case = {
        **dict.fromkeys(PREFLIGHT_CASES, "preflight"),
        "test_extra_versions_case": "versions",
        "test_extra_api_case": "api",
    }
    assert properties.keys() == gate_of_case.keys()
    for case, gate in gate_of_case.items():
        expected = [("release_gate", gate), ("checklist", gate_named(gate).checklist)]
        assert properties[case][:2] == expected, case


def test_final_checklist_lists_every_gate_in_order(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    write_extra_gates(pytester)
    release_repo.write("notes.txt", "not committed\n")
    summary = tmp_path / "step-summary.md"
    summary.write_text("output of an earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    run = run_gates(release_repo.root)

    assert_outcomes(run, {"test_working_tree_is_clean": "failed"}, extra=EXTRA_GATES_OUTCOMES)
    assert "untracked: notes.txt" in run.message("test_working_tree_is_clean")

    entries = checklist_section(run.result.stdout.lines)
    statuses = {"preflight": "FAILED", "versions": "passed", "api": "skipped"}
    assert len(entries) == len(GATES), entries
    for (line, _), gate in zip(entries, GATES, strict=True):
        status = statuses.get(gate.name, "not run")
        columns = rf"{status} +{re.escape(gate.step)} +{gate.name} +{re.escape(gate.checklist)}  \["
        assert re.match(columns, line), line
    details = {gate: below for gate, (_, below) in zip(GATE_NAMES, entries, strict=True)}
    assert details["preflight"][0] == "failed: test_working_tree_is_clean"
    assert details["preflight"][1].startswith("skipped: test_ci_is_green_for_head: remote 'origin'")
    assert len(details["preflight"]) == 2
    assert details["api"] == [
        "skipped: test_extra_api_case: the extra api case has nothing to compare"
    ]
    assert all(details[gate] == [] for gate in GATE_NAMES if gate not in {"preflight", "api"})

    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith("output of an earlier step\n")
    assert "| | step | gate | checklist | result |" in markdown
    rows = re.findall(r"^\| (\S+) \| (\S+) \| `(\S+)` \| ([^|]+) \|", markdown, re.MULTILINE)
    assert [gate for _, _, gate, _ in rows] == list(GATE_NAMES)
    icons = {gate: icon for icon, _, gate, _ in rows}
    assert icons["preflight"] == ":x:"
    assert icons["versions"] == ":white_check_mark:"
    assert icons["api"] == ":warning:"
    assert {icons[gate] for gate in GATE_NAMES[3:]} == {":white_circle:"}


# --- pytest's own options -------------------------------------------------------------


def test_pytest_version_is_answered_by_pytest(
    run_gates: GateRunner, pytester: pytest.Pytester
) -> None:
    result = pytester.runpytest_subprocess("--version")

    assert result.ret == pytest.ExitCode.OK
    assert f"pytest {pytest.__version__}" in result.stdout.str() + result.stderr.str()


def test_version_option_cannot_carry_the_release_version(
    release_repo: ReleaseRepo, run_gates: GateRunner, pytester: pytest.Pytester
) -> None:
    """The pitfall the README explains: pytest answers `--version` before any plugin loads,
    so `pytest release_tests --version 1.4.0` runs no gate at all."""
    result = pytester.runpytest_subprocess(
        "release_tests", f"--monorepo={release_repo.root}", "--version", "1.4.0"
    )

    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.OK
    assert f"pytest {pytest.__version__}" in output
    assert "collected" not in output
    assert "release" not in output


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param("[tool.pytest-release\nbranch = 'main'\n", id="malformed-toml"),
        pytest.param("[tool.pytest-release]\nbrnach = 'main'\n", id="unknown-key"),
    ],
)
def test_help_lists_the_release_options_when_the_target_is_broken(
    release_repo: ReleaseRepo, run_gates: GateRunner, pytester: pytest.Pytester, broken: str
) -> None:
    release_repo.write("pyproject.toml", broken)

    result = pytester.runpytest_subprocess("--help", f"--monorepo={release_repo.root}")

    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.OK, output
    assert "pytest-release (release checklist gates):" in output
    for option in ("--monorepo", "--release-version", "--testpypi", "--pypi", "--allow-unverified"):
        assert re.search(rf"^\s+{option}[ =]", output, re.MULTILINE), option
    assert TRACEBACK not in output


# --- refusals -----------------------------------------------------------------------------


def test_xdist_is_refused_with_a_usage_error(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    run = run_gates(release_repo.root, "-n", "2")

    output = assert_usage_error(run.result)
    assert "xdist" in output
    assert "-n" in output
    assert "release checklist" not in output


def test_monorepo_path_with_a_space_is_refused_when_the_target_config_would_rule(
    release_repo: ReleaseRepo, pytester: pytest.Pytester
) -> None:
    # The user's side without any pytest configuration: only the thin suite modules.
    shutil.copytree(SUITE, pytester.path / "release_tests")
    root = release_repo.root
    assert "[tool.pytest.ini_options]" in (root / "pyproject.toml").read_text(encoding="utf-8")

    spaced = pytester.runpytest_subprocess("release_tests", "--monorepo", str(root))

    output = assert_usage_error(spaced)
    # pytest read PATH as a test path and took the target's pyproject.toml as its ini file.
    assert f"rootdir: {root}" in output
    assert "configfile: pyproject.toml" in output
    assert f"pytest took its configuration from {root / 'pyproject.toml'}" in output
    assert "Write --monorepo=PATH" in output

    junit = pytester.path / "release.xml"
    joined = pytester.runpytest_subprocess(
        "release_tests",
        f"--monorepo={root}",
        "--testpypi=local",
        "--pypi=local",
        f"--junitxml={junit}",
    )

    run = GateRun(joined, junit)
    assert "configfile:" not in run.output  # no pytest config anywhere above the suite
    assert joined.ret == pytest.ExitCode.OK, run.output
    assert_outcomes(run)


# --- inert elsewhere ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "def test_plain() -> None:\n    assert 1 + 1 == 2\n",
        # A project's own tests may carry markers named like gates: still not a release.
        "import pytest\n\n@pytest.mark.cli\n@pytest.mark.api\n"
        "def test_plain() -> None:\n    assert 1 + 1 == 2\n",
    ],
    ids=["unmarked", "marked-like-gates"],
)
def test_plugin_is_inert_in_a_session_without_gates(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str
) -> None:
    pytester.makepyfile(test_plain=source)
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    junit = pytester.path / "plain.xml"

    result = pytester.runpytest_subprocess("-rA", f"--junitxml={junit}")

    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1)
    output = result.stdout.str() + result.stderr.str()
    mentions = [line for line in output.splitlines() if "release" in line]
    assert len(mentions) == 1
    assert mentions[0].startswith("plugins:")
    assert "release-" in mentions[0]  # the plugin was loaded, and said nothing
    assert not summary.exists()
    assert "<property" not in junit.read_text(encoding="utf-8")


def test_without_the_plugin_the_gate_markers_are_unknown(
    run_gates: GateRunner, pytester: pytest.Pytester
) -> None:
    result = pytester.runpytest_subprocess("release_tests", "-p", "no:release")

    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert "'preflight' not found in `markers` configuration option" in output
    assert "Interrupted: 1 error during collection" in output
    assert "release-" not in next(
        line for line in output.splitlines() if line.startswith("plugins:")
    )
    assert "release checklist" not in output
