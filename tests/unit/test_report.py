"""The ledger of gate outcomes and the checklist rendered from it (terminal and Markdown)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_release.checklist import GATE_NAMES, GATES, gate_named
from pytest_release.problems import Problem
from pytest_release.session.ledger import Ledger, Outcome
from pytest_release.session.report import checklist_lines, checklist_markdown, header_lines
from pytest_release.settings import Settings, resolve_settings
from pytest_release.target.monorepo import Monorepo, MonorepoError, Package

PUBLISH_GATES = ("testpypi", "pypi", "tag", "github-release")


def node(gate: str, case: str) -> str:
    """A node id as pytest writes it for a gate module of the release suite."""
    position = GATE_NAMES.index(gate)
    return f"release_tests/test_{position:02d}_{gate}.py::{case}"


def ledger_with(cases: dict[str, list[tuple[str, list[Outcome]]]]) -> Ledger:
    """Collect the cases, then record each one's outcomes in order (setup, call, teardown)."""
    ledger = Ledger(
        (gate, node(gate, case)) for gate, entries in cases.items() for case, _ in entries
    )
    for gate, entries in cases.items():
        for case, outcomes in entries:
            for outcome in outcomes:
                ledger.record(gate, node(gate, case), outcome)
    return ledger


def head_line(status: str, gate_name: str, counts: str) -> str:
    gate = gate_named(gate_name)
    return f"{status:<8} {gate.step:<3} {gate.name:<14} {gate.checklist}  [{counts}]"


# --- the ledger ----------------------------------------------------------------------------


def test_ledger_holds_every_gate_in_checklist_order() -> None:
    ledger = Ledger([("tests", node("tests", "test_suite")), ("preflight", node("preflight", "a"))])

    assert [record.gate for record in ledger.in_order] == list(GATES)
    assert ledger.records["tests"].outcomes == {node("tests", "test_suite"): "not run"}
    assert ledger.records["versions"].outcomes == {}
    assert ledger.failed == []


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        pytest.param([], "not run", id="never-reported"),
        pytest.param(["passed"], "passed", id="call-passed"),
        pytest.param(["skipped"], "skipped", id="setup-skipped"),
        pytest.param(["failed"], "failed", id="setup-failed"),
        pytest.param(["passed", "failed"], "failed", id="call-passed-teardown-failed"),
        pytest.param(["failed", "passed"], "failed", id="call-failed-then-a-pass"),
        pytest.param(["skipped", "failed"], "failed", id="skipped-teardown-failed"),
        pytest.param(["failed", "skipped"], "failed", id="failed-then-skipped"),
        pytest.param(["skipped", "passed"], "skipped", id="skipped-then-a-pass"),
        pytest.param(["passed", "skipped"], "skipped", id="passed-then-skipped"),
        pytest.param(["passed", "passed"], "passed", id="passed-twice"),
    ],
)
def test_record_keeps_the_worst_outcome_of_a_case(phases: list[Outcome], expected: Outcome) -> None:
    ledger = ledger_with({"build": [("test_wheel[aetherflow]", phases)]})

    assert ledger.records["build"].outcomes == {node("build", "test_wheel[aetherflow]"): expected}


def test_record_keeps_the_skip_reason() -> None:
    ledger = Ledger([("preflight", node("preflight", "test_ci_is_green"))])

    ledger.record(
        "preflight", node("preflight", "test_ci_is_green"), "skipped", "GITHUB_TOKEN is not set"
    )
    ledger.record("preflight", node("preflight", "test_ci_is_green"), "passed")

    record = ledger.records["preflight"]
    assert record.outcomes == {node("preflight", "test_ci_is_green"): "skipped"}
    assert record.reasons == {node("preflight", "test_ci_is_green"): "GITHUB_TOKEN is not set"}


def test_record_of_a_case_that_was_not_collected_is_kept() -> None:
    ledger = Ledger([])

    ledger.record("cli", node("cli", "test_help"), "failed")

    assert ledger.records["cli"].outcomes == {node("cli", "test_help"): "failed"}
    assert ledger.records["cli"].status == "failed"


@pytest.mark.parametrize(
    ("cases", "expected"),
    [
        pytest.param([], "not run", id="no-cases"),
        pytest.param([[], []], "not run", id="none-ran"),
        pytest.param([["passed"], ["passed"]], "passed", id="all-passed"),
        pytest.param([["passed"], ["skipped"]], "skipped", id="one-skipped"),
        pytest.param([["skipped"], ["skipped"]], "skipped", id="all-skipped"),
        pytest.param([["passed"], ["failed"], ["skipped"]], "failed", id="one-failed"),
        pytest.param([["passed", "failed"], ["passed"]], "failed", id="teardown-failed"),
        pytest.param([["failed"], []], "failed", id="failed-and-not-run"),
        pytest.param([["skipped"], []], "skipped", id="skipped-and-not-run"),
    ],
)
def test_status_of_a_gate(cases: list[list[Outcome]], expected: Outcome) -> None:
    ledger = ledger_with({"editable": [(f"test_{i}", phases) for i, phases in enumerate(cases)]})

    assert ledger.records["editable"].status == expected


def test_gate_with_cases_that_never_ran_is_not_passed() -> None:
    """'passed if all passed': a gate cut short (Ctrl-C, pytest.exit) did not pass."""
    ledger = ledger_with({"tests": [("test_a", ["passed"]), ("test_b", [])]})

    assert ledger.records["tests"].status != "passed"


def test_counts_and_failed_gates() -> None:
    ledger = ledger_with(
        {
            "preflight": [("test_a", ["passed"]), ("test_b", ["skipped"])],
            "versions": [("test_c", ["failed"]), ("test_d", ["passed"])],
            "build": [("test_e", ["passed", "failed"]), ("test_f", [])],
        }
    )

    assert [record.gate.name for record in ledger.failed] == ["versions", "build"]
    build = ledger.records["build"]
    assert [build.count(o) for o in ("passed", "failed", "skipped", "not run")] == [0, 1, 0, 1]


# --- the terminal checklist ----------------------------------------------------------------


def test_nothing_collected() -> None:
    lines = checklist_lines(Ledger([]))

    assert [status for status, _ in lines] == ["not run"] * len(GATES)
    assert [line for _, line in lines] == [
        head_line(
            "not run",
            gate.name,
            "opt-in: -m publish" if gate.name in PUBLISH_GATES else "not selected",
        )
        for gate in GATES
    ]


@pytest.mark.parametrize(
    ("phases", "status", "label", "counts"),
    [
        pytest.param([["passed"], ["passed"]], "passed", "passed", "2 passed", id="passed"),
        pytest.param(
            [["passed"], ["failed"]], "failed", "FAILED", "1 passed, 1 failed", id="failed"
        ),
        pytest.param(
            [["passed"], ["skipped"]], "skipped", "skipped", "1 passed, 1 skipped", id="skipped"
        ),
        pytest.param([[], []], "not run", "not run", "2 not run", id="not-run"),
        pytest.param(
            [["skipped"], ["passed"], ["failed"], []],
            "failed",
            "FAILED",
            "1 passed, 1 failed, 1 skipped, 1 not run",
            id="every-outcome",
        ),
    ],
)
def test_gate_line(phases: list[list[Outcome]], status: Outcome, label: str, counts: str) -> None:
    ledger = ledger_with({"build": [(f"test_{i}", p) for i, p in enumerate(phases)]})

    build = next(entry for entry in checklist_lines(ledger) if " build " in entry[1])

    assert build == (status, head_line(label, "build", counts))


def test_failed_and_skipped_cases_are_listed_under_their_gate() -> None:
    ledger = Ledger(
        [
            ("preflight", node("preflight", "test_clean_tree")),
            ("preflight", node("preflight", "test_ci_is_green")),
            ("build", node("build", "test_wheel[aetherflow-core]")),
            ("build", node("build", "test_wheel[aetherflow]")),
        ]
    )
    ledger.record("preflight", node("preflight", "test_clean_tree"), "passed")
    ledger.record(
        "preflight",
        node("preflight", "test_ci_is_green"),
        "skipped",
        "GITHUB_TOKEN is not set, so CI of octo/widget was not read",
    )
    ledger.record("build", node("build", "test_wheel[aetherflow-core]"), "failed")
    ledger.record("build", node("build", "test_wheel[aetherflow]"), "passed")

    lines = checklist_lines(ledger)

    indent = " " * 13
    preflight = lines.index(("skipped", head_line("skipped", "preflight", "1 passed, 1 skipped")))
    assert lines[preflight + 1] == (
        "skipped",
        f"{indent}skipped: test_ci_is_green: "
        "GITHUB_TOKEN is not set, so CI of octo/widget was not read",
    )
    assert lines[preflight + 2] == ("not run", head_line("not run", "versions", "not selected"))
    build = lines.index(("failed", head_line("FAILED", "build", "1 passed, 1 failed")))
    assert lines[build + 1] == ("failed", f"{indent}failed: test_wheel[aetherflow-core]")
    assert lines[build + 2][1].startswith("not run  7a ")
    assert len(lines) == len(GATES) + 2


def test_case_name_is_the_last_part_of_the_node_id() -> None:
    ledger = Ledger([("cli", "release_tests/test_05_cli.py::TestHelp::test_help[aetherflow]")])
    ledger.record("cli", "release_tests/test_05_cli.py::TestHelp::test_help[aetherflow]", "failed")

    assert (" " * 13 + "failed: test_help[aetherflow]") in [
        line for _, line in checklist_lines(ledger)
    ]


@pytest.mark.parametrize("gate", PUBLISH_GATES)
def test_publish_gate_is_opt_in_until_selected(gate: str) -> None:
    opted_in = ledger_with({gate: [("test_upload[aetherflow]", ["passed"])]})

    assert ("not run", head_line("not run", gate, "opt-in: -m publish")) in checklist_lines(
        Ledger([])
    )
    assert ("passed", head_line("passed", gate, "1 passed")) in checklist_lines(opted_in)


def test_unselected_gate_that_is_not_opt_in() -> None:
    assert ("not run", head_line("not run", "rehearsal", "not selected")) in checklist_lines(
        Ledger([])
    )


# --- the Markdown checklist ----------------------------------------------------------------


def test_markdown_table() -> None:
    ledger = ledger_with(
        {
            "preflight": [("test_a", ["passed"]), ("test_b", ["skipped"])],
            "versions": [("test_c", ["passed"])],
            "changelog": [("test_d", ["failed"])],
            "tests": [("test_e", [])],
        }
    )

    markdown = checklist_markdown(ledger)

    rows = markdown.splitlines()
    assert markdown.endswith("|\n")
    assert rows[:4] == [
        "## Release checklist",
        "",
        "| | step | gate | checklist | result |",
        "|---|---|---|---|---|",
    ]
    assert len(rows) == 4 + len(GATES)
    checklist = {gate.name: gate.checklist for gate in GATES}
    assert rows[4] == (
        f"| :warning: | 0 | `preflight` | {checklist['preflight']} | 1 passed, 1 skipped |"
    )
    assert (
        rows[5] == f"| :white_check_mark: | 1 | `versions` | {checklist['versions']} | 1 passed |"
    )
    assert rows[6] == f"| :white_circle: | 1b | `api` | {checklist['api']} | not selected |"
    assert rows[7] == f"| :x: | 2 | `changelog` | {checklist['changelog']} | 1 failed |"
    assert rows[8] == f"| :white_circle: | 3 | `tests` | {checklist['tests']} | 1 not run |"
    assert rows[-2] == f"| :white_circle: | 9 | `tag` | {checklist['tag']} | opt-in: -m publish |"


def test_markdown_rows_have_five_cells() -> None:
    for row in checklist_markdown(Ledger([])).splitlines()[2:]:
        assert row.startswith("|")
        assert row.endswith("|")
        assert row.count("|") == 6


# --- the header ----------------------------------------------------------------------------


def package(root: Path, name: str, version: str | None) -> Package:
    folder = root / "packages" / name
    return Package(
        name=name,
        key=name,
        folder=folder,
        pyproject=folder / "pyproject.toml",
        version_text=version,
        version_source="pyproject.toml [project] version",
    )


def settings_for(
    root: Path, table: str, command_line: dict[str, object], environ: dict[str, str]
) -> Settings:
    (root / "pyproject.toml").write_text(f"[tool.pytest-release]\n{table}\n", encoding="utf-8")
    return resolve_settings(root, command_line, environ)


def settings_line(lines: list[str], source: str) -> str:
    """The one header line listing the settings that came from ``source``."""
    found = [line for line in lines if line.startswith("release settings ") and source in line]
    assert len(found) == 1, lines
    return found[0]


def test_header_names_target_version_packages_and_sources(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path,
        'branch = "trunk"\ntag = "{name}-v{version}"',
        {"testpypi": "local", "release-version": "0.2.0"},
        {},
    )
    monorepo = Monorepo(
        tmp_path,
        (package(tmp_path, "aetherflow-core", "0.2.0"), package(tmp_path, "aetherflow", None)),
    )

    lines = header_lines(settings, monorepo)

    assert lines[0] == f"release target: {tmp_path}"
    assert lines[1].startswith("release version: 0.2.0 ")
    assert "command line" in lines[1]
    assert lines[2].startswith("release packages")
    assert lines[2].endswith(": aetherflow-core 0.2.0, aetherflow ?")
    from_file = settings_line(lines, str(tmp_path / "pyproject.toml"))
    assert "branch" in from_file
    assert "'trunk'" in from_file
    assert "'{name}-v{version}'" in from_file
    assert "testpypi" not in from_file
    from_command_line = settings_line(lines, "command line")
    assert "testpypi" in from_command_line
    assert "'local'" in from_command_line
    defaults = settings_line(lines, "defaults")
    for key in ("packages", "changelog", "versioning", "strict-zero", "test-command", "pypi"):
        assert key in defaults
    assert len(lines) == 6


def test_header_without_a_release_version(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "", {}, {})

    lines = header_lines(settings, Monorepo(tmp_path, (package(tmp_path, "solo", "1.0.0"),)))

    assert lines[1].startswith("release version: not given")
    assert "common version" in lines[1]
    assert lines[2].endswith(": solo 1.0.0")
    assert not any("from command line" in line for line in lines)


def test_header_with_release_version_from_the_environment(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "", {}, {"RELEASE_VERSION": "1.4.0"})

    lines = header_lines(settings, Monorepo(tmp_path, ()))

    assert lines[1].startswith("release version: 1.4.0 ")
    assert "RELEASE_VERSION" in lines[1]


def test_header_when_the_target_cannot_be_read(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "", {}, {})
    error = MonorepoError([Problem("no package found", str(tmp_path), "add a pyproject.toml")])

    lines = header_lines(settings, error)

    assert lines[2] == "release packages: cannot be read (see the preflight gate)"


@pytest.mark.parametrize(
    ("table", "key", "shown", "not_shown"),
    [
        pytest.param("strict-zero = false", "strict-zero", "false", "-", id="false-is-a-value"),
        pytest.param("strict-zero = true", "strict-zero", "true", "-", id="true"),
        pytest.param(
            'public-api = ["aetherflow.core"]',
            "public-api",
            "'aetherflow.core'",
            "-",
            id="list",
        ),
        pytest.param(
            "test-command = \"pytest -m 'not slow'\"",
            "test-command",
            "'not slow'",
            "pytest -m not slow",
            id="command-word-with-a-space-stays-one-word",
        ),
    ],
)
def test_header_shows_setting_values(
    tmp_path: Path, table: str, key: str, shown: str, not_shown: str
) -> None:
    settings = settings_for(tmp_path, table, {}, {})

    from_file = settings_line(header_lines(settings, Monorepo(tmp_path, ())), "pyproject.toml")

    entry = from_file.partition(": ")[2]
    assert entry.startswith(key)
    assert entry.endswith(shown) or entry.endswith(shown + "]")
    assert not entry.endswith(not_shown)


# --- what the publish adds: details and waivers --------------------------------------------


def test_the_checklist_ends_with_the_waived_checks() -> None:
    lines = checklist_lines(Ledger([]), waived=["upstream", "ci"])

    assert lines[-2:] == [
        ("skipped", f"{'waived':<13}--allow-unverified ci: the CI state of HEAD could not be read"),
        (
            "skipped",
            f"{'waived':<13}--allow-unverified upstream: the branch could not be compared "
            "with its upstream (remote unreachable)",
        ),
    ]


def test_markdown_lists_the_details_in_order_and_the_waivers_below_the_table() -> None:
    ledger = ledger_with(
        {
            "pypi": [("test_upload[core]", ["passed"]), ("test_upload[app]", ["passed"])],
            "tag": [("test_tags", ["passed"])],
        }
    )
    ledger.record_detail("pypi", node("pypi", "test_upload[core]"), "core files -> pypi")
    ledger.record_detail("pypi", node("pypi", "test_upload[app]"), "app files -> pypi")
    ledger.record_detail("tag", node("tag", "test_tags"), "tags v1.0.0 on HEAD")

    rows = checklist_markdown(ledger, waived=["ci"]).splitlines()

    assert rows[4 + len(GATES) :] == [
        "",
        "- `pypi`: core files -> pypi",
        "- `pypi`: app files -> pypi",
        "- `tag`: tags v1.0.0 on HEAD",
        "- waived: `--allow-unverified ci`",
    ]


def test_cases_skipped_for_one_reason_are_one_line_under_their_gate() -> None:
    ledger = ledger_with({"pypi": [("test_upload[core]", []), ("test_upload[app]", [])]})
    for case in ("test_upload[core]", "test_upload[app]"):
        ledger.record("pypi", node("pypi", case), "skipped", "publish not selected")

    below = [line for _, line in checklist_lines(ledger) if line.startswith(" ")]

    assert below == [f"{'':13}skipped: 2 cases: publish not selected"]
