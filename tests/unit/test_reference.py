"""The generated reference (docs/reference_pages.py) names everything the code defines: every gate
and its cases, every ``[tool.pytest-release]`` key with its type, default and meaning, every
command-line option, every skip kind. A key, option or gate added to the code without its
words in the generator fails here, before the docs build does."""

from __future__ import annotations

import re

import pytest

from docs import reference_pages as reference
from pytest_release.checklist import GATES, Gate, SkipKind
from pytest_release.settings import KEYS


@pytest.fixture(scope="module")
def gates_page() -> str:
    return reference.render_gates()


@pytest.fixture(scope="module")
def settings_page() -> str:
    return reference.render_settings()


@pytest.fixture(scope="module")
def options_page() -> str:
    return reference.render_options()


def table_row(page: str, first_cell: str) -> str:
    """The table row of ``page`` whose first cell is ``first_cell``."""
    rows = [line for line in page.splitlines() if line.startswith(f"| {first_cell} |")]
    assert len(rows) == 1, f"{first_cell} has {len(rows)} rows in:\n{page}"
    return rows[0]


@pytest.mark.parametrize("gate", GATES, ids=lambda gate: gate.name)
def test_every_gate_has_its_section_with_the_checklist_line(gate: Gate, gates_page: str) -> None:
    assert f"## {gate.step} `{gate.name}`" in gates_page
    assert f"*{gate.checklist}*" in gates_page


def test_every_case_of_the_suite_is_under_its_gate(gates_page: str) -> None:
    """Cases come from reading the suite; a few known ones are in the right sections."""
    sections = {
        each.gate.name: gates_page.split(f"`{each.gate.name}`", 1)[1].split("\n## ", 1)[0]
        for each in reference.gate_modules()
    }
    for gate, name in [
        ("preflight", "test_release_tags_can_be_made_and_pushed"),
        ("versions", "test_internal_ranges_admit_the_release"),
        ("rehearsal", "test_installed_python_smoke"),  # a case defined once for two gates
        ("testpypi", "test_installed_from_testpypi_python_smoke"),
        ("tag", "test_release_tags_pushed"),
    ]:
        assert f"| `{name}` |" in sections[gate]
    for each in reference.gate_modules():
        assert each.cases, f"{each.module} has no cases"
        for case in each.cases:
            assert f"| `{case.name}` |" in sections[each.gate.name]


def test_a_case_says_what_it_checks(gates_page: str) -> None:
    """Its docstring, or else its name as a sentence."""
    assert table_row(gates_page, "`test_publish_order`").endswith(
        "| The order later gates build, upload and tag in: dependencies first. |"
    )
    assert table_row(gates_page, "`test_working_tree_is_clean`").endswith(
        "| Working tree is clean. |"
    )


def test_per_package_and_parametrized_cases_say_how_often_they_run(gates_page: str) -> None:
    assert "per package in the release" in table_row(gates_page, "`test_build_succeeds`")
    assert "per package of the repository" in table_row(
        gates_page, "`test_internal_ranges_admit_the_release`"
    )
    assert "per index: testpypi, pypi" in table_row(
        gates_page, "`test_upload_credentials_are_present`"
    )


@pytest.mark.parametrize("key", KEYS)
def test_every_key_has_a_row_with_type_default_and_meaning(key: str, settings_page: str) -> None:
    cells = [cell.strip() for cell in table_row(settings_page, f"`{key}`").split(" | ")]
    _, kind, default, _, meaning = cells
    assert kind, f"{key}: no type"
    assert default, f"{key}: no default"
    assert meaning.rstrip(" |"), f"{key}: no meaning; add it to MEANINGS in docs/reference_pages.py"


def test_types_and_defaults_are_the_schemas(settings_page: str) -> None:
    assert table_row(settings_page, "`versioning`").startswith(
        '| `versioning` | one of `"lockstep"`, `"independent"` | `"lockstep"` |'
    )
    assert "| boolean | `true` | `--no-build-cache` |" in table_row(settings_page, "`build-cache`")
    assert '| `["test", "tests", "dev"]` |' in table_row(settings_page, "`test-groups`")
    assert '| `"pytest -q"` |' in table_row(settings_page, "`test-command`")


def test_no_meaning_for_a_key_or_skip_kind_the_code_does_not_have() -> None:
    assert set(reference.MEANINGS) <= set(KEYS)
    assert set(reference.SKIP_MEANINGS) <= {kind.value for kind in SkipKind}


def test_an_unknown_validator_is_named_not_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    def _odd(key: str, value: object) -> object:
        return value

    monkeypatch.setitem(KEYS, "odd", (_odd, 1))
    with pytest.raises(LookupError, match=r"no type description for its validator .*\._odd;"):
        reference.key_type("odd")


@pytest.mark.parametrize("kind", SkipKind, ids=lambda kind: kind.value)
def test_every_skip_kind_has_a_meaning(kind: SkipKind, gates_page: str) -> None:
    row = table_row(gates_page, f"`{kind.value}`")
    assert not row.startswith(f"| `{kind.value}` |  |"), "add it to SKIP_MEANINGS"


def test_every_option_of_the_plugin_is_in_the_reference(options_page: str) -> None:
    recorded = reference.recorded_options()
    spelled = set(re.findall(r"^\| `(--[a-z-]+)", options_page, flags=re.MULTILINE))
    assert spelled == {name for option in recorded for name in option.names}
    for known in ("--monorepo", "--release-version", "--bundle", "--no-build-cache"):
        assert known in spelled
