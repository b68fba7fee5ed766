"""The publish guard over real ledgers: which gate outcomes block a publish step."""

from __future__ import annotations

import pytest

from pytest_release.checklist import GATE_POSITION, GATES
from pytest_release.session.guard import (
    accepted_skip,
    not_verified,
    publish_blockers,
)
from pytest_release.session.ledger import Ledger, Outcome

CI_SKIP = f"could not read the CI state of HEAD: {not_verified('ci')}"


def nodeid(gate: str, case: str = "test_case") -> str:
    return f"release_tests/test_{gate}.py::{case}"


def ledger_before(
    gate_name: str, changes: dict[str, tuple[Outcome, str] | None] | None = None
) -> Ledger:
    """A ledger in which every gate before ``gate_name`` ran one case, which passed, except
    the gates in ``changes``: gate name -> (outcome, reason) of that case, or None for a
    gate of which no case was collected."""
    changes = changes or {}
    earlier = [gate.name for gate in GATES[: GATE_POSITION[gate_name]]]
    collected = [name for name in earlier if name not in changes or changes[name] is not None]
    ledger = Ledger([(name, nodeid(name)) for name in collected])
    for name in collected:
        outcome, reason = changes.get(name) or ("passed", "")
        if outcome != "not run":
            ledger.record(name, nodeid(name), outcome, reason)
    return ledger


@pytest.mark.parametrize(
    ("reason", "accepted"),
    [
        pytest.param("nothing to check: no CLI entry points", True, id="nothing-to-check"),
        pytest.param(
            f"{not_verified('ci')} (waived with --allow-unverified ci)", True, id="waived"
        ),
        pytest.param(not_verified("ci"), False, id="not-verified"),
        pytest.param("the remote is unreachable", False, id="other-reason"),
        pytest.param("", False, id="no-reason"),
    ],
)
def test_accepted_skip(reason: str, accepted: bool) -> None:
    assert accepted_skip(reason) is accepted


def test_not_verified_names_the_option_that_waives_it() -> None:
    assert not_verified("upstream").endswith("--allow-unverified upstream")


@pytest.mark.parametrize("gate_name", ["testpypi", "pypi", "tag"])
def test_no_blockers_when_every_earlier_gate_passed(gate_name: str) -> None:
    assert publish_blockers(ledger_before(gate_name), gate_name) == []


def test_a_failed_gate_blocks_with_its_failed_case() -> None:
    ledger = ledger_before("testpypi")
    ledger.record("build", nodeid("build", "test_twine_check"), "failed")
    assert publish_blockers(ledger, "testpypi") == ["gate `build` failed (test_twine_check)"]


def test_a_gate_without_cases_did_not_run() -> None:
    ledger = ledger_before("testpypi", {"cli": None})
    assert publish_blockers(ledger, "testpypi") == ["gate `cli` did not run in this session"]


def test_a_case_not_run_means_the_gate_did_not_finish() -> None:
    ledger = ledger_before("testpypi", {"tests": ("not run", "")})
    assert publish_blockers(ledger, "testpypi") == [
        "gate `tests` did not finish (test_case not run)"
    ]


def test_every_blocked_gate_is_named_in_checklist_order() -> None:
    ledger = ledger_before(
        "testpypi", {"changelog": ("failed", ""), "preflight": ("skipped", CI_SKIP)}
    )
    assert publish_blockers(ledger, "testpypi") == [
        f"gate `preflight` did not verify test_case: {CI_SKIP}",
        "gate `changelog` failed (test_case)",
    ]


@pytest.mark.parametrize(
    ("reason", "blockers"),
    [
        pytest.param(CI_SKIP, [f"gate `preflight` did not verify test_case: {CI_SKIP}"], id="ci"),
        pytest.param(f"{CI_SKIP} (waived with --allow-unverified ci)", [], id="ci-waived"),
        pytest.param("nothing to check: no upstream configured", [], id="nothing-to-check"),
    ],
)
def test_a_skip_blocks_unless_waived_or_nothing_to_check(reason: str, blockers: list[str]) -> None:
    ledger = ledger_before("testpypi", {"preflight": ("skipped", reason)})
    assert publish_blockers(ledger, "testpypi") == blockers


def test_pypi_is_blocked_by_a_failed_testpypi() -> None:
    ledger = ledger_before("pypi", {"testpypi": ("failed", "")})
    assert publish_blockers(ledger, "pypi") == ["gate `testpypi` failed (test_case)"]


def test_pypi_names_only_the_check_that_also_blocked_testpypi() -> None:
    # testpypi was skipped by the guard for the rehearsal failure: naming it again would
    # hide the one cause behind two.
    guard_skip = "blocked, nothing sent: gate `rehearsal` failed (test_case)"
    ledger = ledger_before(
        "pypi", {"rehearsal": ("failed", ""), "testpypi": ("skipped", guard_skip)}
    )
    assert publish_blockers(ledger, "pypi") == ["gate `rehearsal` failed (test_case)"]


@pytest.mark.parametrize(
    ("pypi", "blocker"),
    [
        pytest.param(
            ("not run", ""), "gate `pypi` did not finish (test_case not run)", id="collected"
        ),
        pytest.param(None, "gate `pypi` did not run in this session", id="not-collected"),
    ],
)
def test_tag_is_blocked_when_pypi_did_not_run(
    pypi: tuple[Outcome, str] | None, blocker: str
) -> None:
    ledger = ledger_before("tag", {"pypi": pypi})
    assert publish_blockers(ledger, "tag") == [blocker]


def test_later_gates_do_not_block() -> None:
    ledger = ledger_before("testpypi")
    ledger.record("tag", nodeid("tag"), "failed")
    ledger.record("pypi", nodeid("pypi"), "failed")
    assert publish_blockers(ledger, "testpypi") == []
