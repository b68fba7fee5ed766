"""The release session as a whole: reading the target, settings, order, JUnit, the final
checklist, pytest's own options, xdist, the `--monorepo PATH` pitfall and staying inert."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_release.checklist import GATE_NAMES, GATES, gate_named
from pytest_release.session.guard import PUBLISH_NOT_SELECTED
from tests.plugin.baseline import (
    GATES_SO_FAR,
    assert_no_traceback,
    assert_outcomes,
    assert_says,
    gate_cases,
)
from tests.plugin.defects import CHANGELOG, DATED, RELEASE_HEADING, commit, replace
from tests.plugin.gate_runs import SUITE, GateRun, GateRunner, junit_properties
from tests.plugin.repos import VERSION, ReleaseRepo

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
# Without -m publish, the extra publish case is skipped: "publish not selected".
EXTRA_GATES_OUTCOMES = {
    "test_extra_versions_case": "passed",
    "test_extra_api_case": "skipped",
    "test_extra_tag_case": "skipped",
}
EXTRA_VERSIONS_NODEID = f"release_tests/{EXTRA_GATES_MODULE}::test_extra_versions_case"
EXTRA_API_NODEID = f"release_tests/{EXTRA_GATES_MODULE}::test_extra_api_case"
# A publish gate, sorting after everything else.
EXTRA_PUBLISH_MODULE = "test_zz_extra_publish.py"
EXTRA_PUBLISH_SOURCE = '''\
"""An extra opt-in gate case for the plugin tests."""

import pytest

pytestmark = [pytest.mark.tag, pytest.mark.publish]


def test_extra_tag_case() -> None:
    assert True
'''
EXTRA_TAG_NODEID = f"release_tests/{EXTRA_PUBLISH_MODULE}::test_extra_tag_case"


def executed_cases(output: str) -> list[str]:
    """Node ids in the order `-v` reported them as run."""
    return re.findall(
        r"^(release_tests/\S+::\S+) (?:PASSED|FAILED|SKIPPED|ERROR)\b", output, re.MULTILINE
    )


def suite_modules() -> dict[str, str]:
    """Gate -> the file name of its module in the release suite, for every gate it has."""
    modules = {
        gate: [path.name for path in SUITE.glob(f"test_*_{gate.replace('-', '_')}.py")]
        for gate in GATE_NAMES
    }
    assert all(len(names) <= 1 for names in modules.values()), modules
    found = {gate: names[0] for gate, names in modules.items() if names}
    assert sorted(found.values()) == sorted(path.name for path in SUITE.glob("test_*.py"))
    return found


def suite_module(gate: str) -> str:
    """The release suite's module of ``gate``, as a node id prefix."""
    return f"release_tests/{suite_modules()[gate]}"


def suite_nodeids(*gates: str) -> list[str]:
    """The node ids of the cases of ``gates``, in the order they run."""
    return [f"{suite_module(gate)}::{case}" for gate in gates for case in gate_cases(gate)]


def with_extra_gates() -> list[str]:
    """Every gate's cases with the extra gate cases, in checklist order: the extra versions
    case runs first in its gate (its module is collected first), the api case after it, the
    publish case last."""
    return [
        *suite_nodeids("preflight"),
        EXTRA_VERSIONS_NODEID,
        *suite_nodeids("versions"),
        EXTRA_API_NODEID,
        *suite_nodeids("changelog"),
        EXTRA_TAG_NODEID,
    ]


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


# A plain run, without -m: `run_gates` selects GATES_SO_FAR unless a test passes its own -m,
# which would deselect the extra api case and the publish gate before the plugin sees them.
PLAIN = ("-m", "")


def write_extra_gates(pytester: pytest.Pytester) -> None:
    """The user's suite holds the gates of GATES_SO_FAR and the extra gate cases: the
    modules of later gates (venvs, builds; tested on their own) are left out, so that a
    PLAIN run is every gate the baseline knows."""
    suite = pytester.path / "release_tests"
    for gate, module in suite_modules().items():
        if gate not in GATES_SO_FAR:
            (suite / module).unlink()
    (suite / EXTRA_GATES_MODULE).write_text(EXTRA_GATES_SOURCE, encoding="utf-8")
    (suite / EXTRA_PUBLISH_MODULE).write_text(EXTRA_PUBLISH_SOURCE, encoding="utf-8")


def assert_usage_error(run: GateRun) -> str:
    """A clean usage error: exit code 4, no traceback, no gate run. Returns the output."""
    output = run.output
    assert run.result.ret == pytest.ExitCode.USAGE_ERROR, output
    assert_no_traceback(run)
    assert not executed_cases(output)
    assert not re.search(r"^(PASSED|FAILED|SKIPPED|ERROR) release_tests", output, re.MULTILINE)
    return output


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}: the example changed"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_baseline_knows_every_case_of_the_suite_in_run_order(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """The cases `baseline.gate_cases` names, which the other tests rely on, are the ones
    the suite collects for the example, in the order they run."""
    run = run_gates(release_repo.root, "--collect-only", "-q")

    assert run.result.ret == pytest.ExitCode.OK, run.output
    collected = [line for line in run.result.stdout.lines if line.startswith("release_tests/")]
    assert collected == suite_nodeids(*GATES_SO_FAR)


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


# An unreadable target still collects: the versions gate's per-package checks become one case
# each, with the id "unreadable"; every case that needs the packages fails with the reading
# error. In preflight that is the reading case and the tag case (tag names need the
# packages' versions); the changelog's existence and commit need no package.
UNREADABLE = ("unreadable",)
NEEDS_THE_PACKAGES = (
    "test_packages_can_be_read",
    "test_release_tags_can_be_made_and_pushed",
    *gate_cases("versions", UNREADABLE),
    *(
        case
        for case in gate_cases("changelog")
        if case not in {"test_changelog_exists", "test_changelog_is_committed"}
    ),
)


@pytest.mark.parametrize(
    "defect",
    [_malformed_toml, _no_project_table, _dependency_cycle],
    ids=["malformed-toml", "no-project-table", "dependency-cycle"],
)
def test_a_package_that_cannot_be_read_fails_only_the_cases_that_need_the_packages(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    defect: Callable[[Path], list[str]],
) -> None:
    words = defect(release_repo.root / CORE_PYPROJECT)
    release_repo.commit_all("A defect, committed so that the tree stays clean")

    run = run_gates(release_repo.root)

    assert_outcomes(run, dict.fromkeys(NEEDS_THE_PACKAGES, "failed"), packages=UNREADABLE)
    for case in NEEDS_THE_PACKAGES:
        assert_says(run, case, *words)
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

    output = assert_usage_error(run)
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

    run = run_gates(release_repo.root, *PLAIN, "-v", "-p", "randomly", f"--randomly-seed={seed}")

    assert f"Using --randomly-seed={seed}" in run.output
    assert executed_cases(run.output) == with_extra_gates()
    assert_outcomes(run, extra=EXTRA_GATES_OUTCOMES)


@pytest.mark.slow
def test_failed_first_and_last_failed_do_not_reorder_the_gates(
    release_repo: ReleaseRepo, run_gates: GateRunner, pytester: pytest.Pytester
) -> None:
    write_extra_gates(pytester)
    # An undated release section: a case of a later gate (changelog) fails.
    replace(release_repo, CHANGELOG, RELEASE_HEADING, f"## [{VERSION}]")
    commit(release_repo, "Leave the release section undated")
    failing = {DATED: "failed"}
    first = run_gates(release_repo.root, *PLAIN, "-p", "no:randomly")
    assert_outcomes(first, failing, extra=EXTRA_GATES_OUTCOMES)

    again = run_gates(release_repo.root, *PLAIN, "-v", "-p", "no:randomly", "--ff")

    assert "run-last-failure: rerun previous 1 failure first" in again.output
    assert executed_cases(again.output) == with_extra_gates()
    assert_outcomes(again, failing, extra=EXTRA_GATES_OUTCOMES)

    only_failed = run_gates(release_repo.root, *PLAIN, "-v", "-p", "no:randomly", "--lf")

    assert executed_cases(only_failed.output) == [
        f"{suite_module('changelog')}::{case}" for case in failing
    ]


@pytest.mark.slow
def test_publish_gates_are_opt_in_and_a_publish_run_runs_every_gate_first(
    release_repo: ReleaseRepo, run_gates: GateRunner, pytester: pytest.Pytester
) -> None:
    write_extra_gates(pytester)

    default = run_gates(release_repo.root, *PLAIN, "-v")
    assert_outcomes(default, extra=EXTRA_GATES_OUTCOMES)
    assert_says(default, "test_extra_tag_case", "publish not selected")
    assert "deselected" not in default.output

    excluded = run_gates(release_repo.root, "-v", "-m", "not publish")  # no opt-in
    without_tag = {k: v for k, v in EXTRA_GATES_OUTCOMES.items() if k != "test_extra_tag_case"}
    assert_outcomes(excluded, extra=without_tag)
    assert "1 deselected" in excluded.output

    named = run_gates(release_repo.root, "-v", "-m", "tag")  # names the gate, not `publish`
    assert named.outcomes() == {"test_extra_tag_case": "skipped"}, named.output
    assert_says(named, "test_extra_tag_case", "publish not selected")

    for expression in ("publish", "preflight or publish"):
        publishing = run_gates(
            release_repo.root, "-v", "-m", expression, "--release-version", VERSION
        )
        # Every other gate runs, though -m alone would have deselected it; the publish
        # case is guarded like the suite's own: the CI check was not verified (nor waived).
        assert_outcomes(publishing, extra=EXTRA_GATES_OUTCOMES)
        assert executed_cases(publishing.output) == with_extra_gates()
        assert "deselected" not in publishing.output
        assert_says(
            publishing,
            "test_extra_tag_case",
            "blocked, nothing sent: gate `preflight` did not verify test_ci_is_green_for_head",
        )


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

    run = run_gates(release_repo.root, *PLAIN, *family)

    assert_outcomes(run, extra=EXTRA_GATES_OUTCOMES)
    properties = junit_properties(run)
    gate_of_case = {
        **{case: gate for gate in GATES_SO_FAR for case in gate_cases(gate)},
        "test_extra_versions_case": "versions",
        "test_extra_api_case": "api",
        "test_extra_tag_case": "tag",
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

    run = run_gates(release_repo.root, *PLAIN)

    assert_outcomes(run, {"test_working_tree_is_clean": "failed"}, extra=EXTRA_GATES_OUTCOMES)
    assert "untracked: notes.txt" in run.message("test_working_tree_is_clean")

    entries = checklist_section(run.result.stdout.lines)
    statuses = {
        "preflight": "FAILED",
        "versions": "passed",
        "api": "skipped",
        "changelog": "passed",
        "tag": "skipped",
    }
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
    assert details["tag"] == [f"skipped: test_extra_tag_case: {PUBLISH_NOT_SELECTED}"]
    shown = {"preflight", "api", "tag"}
    assert all(details[gate] == [] for gate in GATE_NAMES if gate not in shown)

    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith("output of an earlier step\n")
    assert "| | step | gate | checklist | result |" in markdown
    rows = re.findall(r"^\| (\S+) \| (\S+) \| `(\S+)` \| ([^|]+) \|", markdown, re.MULTILINE)
    assert [gate for _, _, gate, _ in rows] == list(GATE_NAMES)
    icons = {gate: icon for icon, _, gate, _ in rows}
    assert icons["preflight"] == ":x:"
    assert icons["versions"] == ":white_check_mark:"
    assert icons["api"] == ":warning:"
    assert icons["changelog"] == ":white_check_mark:"
    assert icons["tag"] == ":warning:"
    between = GATE_NAMES[GATE_NAMES.index("changelog") + 1 : GATE_NAMES.index("tag")]
    assert {icons[gate] for gate in (*between, "github-release")} == {":white_circle:"}


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

    output = assert_usage_error(run)
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

    junit = pytester.path / "release.xml"
    spaced = pytester.runpytest_subprocess("release_tests", "--monorepo", str(root))

    output = assert_usage_error(GateRun(spaced, junit))
    # pytest read PATH as a test path and took the target's pyproject.toml as its ini file.
    assert f"rootdir: {root}" in output
    assert "configfile: pyproject.toml" in output
    assert f"pytest took its configuration from {root / 'pyproject.toml'}" in output
    assert "Write --monorepo=PATH" in output

    joined = pytester.runpytest_subprocess(
        "release_tests",
        f"--monorepo={root}",
        "--testpypi=local",
        "--pypi=local",
        f"--junitxml={junit}",
        "-m",
        " or ".join(GATES_SO_FAR),
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


def test_a_projects_own_marker_named_like_a_gate_meets_strict_markers(
    pytester: pytest.Pytester,
) -> None:
    """The gate markers are registered for a session that collects the suite only."""
    pytester.makepyfile(
        test_own="import pytest\n\n@pytest.mark.api\ndef test_own() -> None:\n    pass\n"
    )

    result = pytester.runpytest_subprocess("--strict-markers")

    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*'api' not found in `markers` configuration option*"])


def test_without_the_plugin_the_gate_markers_are_unknown(
    run_gates: GateRunner, pytester: pytest.Pytester
) -> None:
    result = pytester.runpytest_subprocess("release_tests", "-p", "no:release")

    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    modules = suite_modules()
    for gate in modules:
        assert f"'{gate}' not found in `markers` configuration option" in output
    assert f"Interrupted: {len(modules)} errors during collection" in output
    assert "release-" not in next(
        line for line in output.splitlines() if line.startswith("plugins:")
    )
    assert "release checklist" not in output
