"""The publish guard over real ledgers: which gate outcomes block a publish step. A skip
is judged by its kind, recorded as data, never by its reason's words."""

from __future__ import annotations

import pytest

from pytest_release.checklist import GATE_POSITION, GATES, SkipCause, SkipKind
from pytest_release.session.guard import bundle_blockers, publish_blockers
from pytest_release.session.ledger import Ledger, Outcome

CI_SKIP = "could not read the CI state of HEAD"
UNVERIFIED_CI = SkipCause(SkipKind.UNVERIFIED, "ci")
# What each change records: outcome, reason, and for a skip its cause (None: no kind).
Change = tuple[Outcome, str] | tuple[Outcome, str, SkipCause | None]


def nodeid(gate: str, case: str = "test_case") -> str:
    return f"release_tests/test_{gate}.py::{case}"


def ledger_before(gate_name: str, changes: dict[str, Change | None] | None = None) -> Ledger:
    """A ledger in which every gate before ``gate_name`` ran one case, which passed, except
    the gates in ``changes``: gate name -> (outcome, reason[, skip cause]) of that case, or
    None for a gate of which no case was collected."""
    changes = changes or {}
    earlier = [gate.name for gate in GATES[: GATE_POSITION[gate_name]]]
    collected = [name for name in earlier if name not in changes or changes[name] is not None]
    ledger = Ledger([(name, nodeid(name)) for name in collected])
    for name in collected:
        outcome, reason, *cause = changes.get(name) or ("passed", "")
        if outcome != "not run":
            ledger.record(name, nodeid(name), outcome, reason, cause[0] if cause else None)
    return ledger


@pytest.mark.parametrize(
    ("cause", "waived", "clears"),
    [
        pytest.param(SkipCause(SkipKind.NOTHING_TO_CHECK), (), True, id="nothing-to-check"),
        pytest.param(SkipCause(SkipKind.NOT_IN_THIS_RELEASE), (), True, id="not-in-release"),
        pytest.param(UNVERIFIED_CI, ("ci",), True, id="unverified-waived"),
        pytest.param(UNVERIFIED_CI, (), False, id="unverified"),
        pytest.param(UNVERIFIED_CI, ("upstream",), False, id="another-check-waived"),
        pytest.param(SkipCause(SkipKind.UNVERIFIED), ("ci",), False, id="unverified-no-check"),
        pytest.param(SkipCause(SkipKind.BLOCKED), ("ci",), False, id="blocked"),
        pytest.param(SkipCause(SkipKind.NOT_SELECTED), (), False, id="not-selected"),
        pytest.param(SkipCause(SkipKind.PROVEN_BY_BUNDLE), (), True, id="proven-by-bundle"),
    ],
)
def test_which_skips_clear_the_way(cause: SkipCause, waived: tuple[str, ...], clears: bool) -> None:
    assert cause.clears_the_way(waived) is clears


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
        "testpypi",
        {"changelog": ("failed", ""), "preflight": ("skipped", CI_SKIP, UNVERIFIED_CI)},
    )
    assert publish_blockers(ledger, "testpypi") == [
        f"gate `preflight` did not verify test_case: {CI_SKIP}",
        "gate `changelog` failed (test_case)",
    ]


BLOCKED_BY_CI = [f"gate `preflight` did not verify test_case: {CI_SKIP}"]


@pytest.mark.parametrize(
    ("cause", "waived", "blockers"),
    [
        pytest.param(UNVERIFIED_CI, (), BLOCKED_BY_CI, id="ci"),
        pytest.param(UNVERIFIED_CI, ("ci",), [], id="ci-waived"),
        pytest.param(SkipCause(SkipKind.NOTHING_TO_CHECK), (), [], id="nothing-to-check"),
        pytest.param(None, ("ci",), BLOCKED_BY_CI, id="a-skip-of-no-kind"),
    ],
)
def test_a_skip_blocks_unless_waived_or_harmless(
    cause: SkipCause | None, waived: tuple[str, ...], blockers: list[str]
) -> None:
    ledger = ledger_before("testpypi", {"preflight": ("skipped", CI_SKIP, cause)})
    assert publish_blockers(ledger, "testpypi", waived) == blockers


@pytest.mark.parametrize(
    "reason",
    [
        "nothing to check: the words of a harmless skip",
        "could not read CI (waived with --allow-unverified ci)",
    ],
)
def test_a_skip_of_no_kind_blocks_whatever_its_words(reason: str) -> None:
    ledger = ledger_before("testpypi", {"preflight": ("skipped", reason, None)})
    assert publish_blockers(ledger, "testpypi", ("ci",)) == [
        f"gate `preflight` did not verify test_case: {reason}"
    ]


def test_pypi_is_blocked_by_a_failed_testpypi() -> None:
    ledger = ledger_before("pypi", {"testpypi": ("failed", "")})
    assert publish_blockers(ledger, "pypi") == ["gate `testpypi` failed (test_case)"]


def test_pypi_names_only_the_check_that_also_blocked_testpypi() -> None:
    # testpypi was skipped by the guard for the rehearsal failure: naming it again would
    # hide the one cause behind two.
    guard_skip = "blocked, nothing sent: gate `rehearsal` failed (test_case)"
    ledger = ledger_before(
        "pypi",
        {
            "rehearsal": ("failed", ""),
            "testpypi": ("skipped", guard_skip, SkipCause(SkipKind.BLOCKED)),
        },
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
def test_tag_is_blocked_when_pypi_did_not_run(pypi: Change | None, blocker: str) -> None:
    ledger = ledger_before("tag", {"pypi": pypi})
    assert publish_blockers(ledger, "tag") == [blocker]


def test_later_gates_do_not_block() -> None:
    ledger = ledger_before("testpypi")
    ledger.record("tag", nodeid("tag"), "failed")
    ledger.record("pypi", nodeid("pypi"), "failed")
    assert publish_blockers(ledger, "testpypi") == []


# -- the release bundle ------------------------------------------------------------------------

BUNDLE_NODE = nodeid("rehearsal", "test_release_bundle")
UNVERIFIED_CREDENTIALS: Change = (
    "skipped",
    "no upload credentials",
    SkipCause(SkipKind.UNVERIFIED, "credentials"),
)


def bundle_ledger(changes: dict[str, Change | None] | None = None) -> Ledger:
    """``ledger_before("testpypi")``, with the bundle's own case not run yet."""
    ledger = ledger_before("testpypi", changes)
    ledger.records["rehearsal"].outcomes[BUNDLE_NODE] = "not run"
    return ledger


def test_a_bundle_is_written_when_every_gate_up_to_the_rehearsal_passed() -> None:
    assert bundle_blockers(bundle_ledger(), BUNDLE_NODE) == []


def test_a_gate_that_reads_the_repository_may_skip_for_the_bundle() -> None:
    """The build job holds no credentials: the publish run checks them again."""
    ledger = bundle_ledger({"preflight": UNVERIFIED_CREDENTIALS, "api": ("skipped", "plain")})
    assert bundle_blockers(ledger, BUNDLE_NODE) == []


@pytest.mark.parametrize(
    ("changes", "blocker"),
    [
        pytest.param(
            {"changelog": ("failed", "")},
            "gate `changelog` failed (test_case)",
            id="a-failed-gate",
        ),
        pytest.param({"tests": None}, "gate `tests` did not run in this session", id="not-run"),
        pytest.param(
            {"cli": UNVERIFIED_CREDENTIALS},
            "gate `cli` did not verify test_case: no upload credentials",
            id="an-unverified-check-of-a-gate-the-bundle-carries",
        ),
        pytest.param(
            {"versions": ("not run", "")},
            "gate `versions` did not finish (test_case not run)",
            id="interrupted",
        ),
    ],
)
def test_no_bundle_after_a_gate_that_did_not_pass(
    changes: dict[str, Change | None], blocker: str
) -> None:
    assert bundle_blockers(bundle_ledger(changes), BUNDLE_NODE) == [blocker]


def test_the_manifest_records_every_gate_to_the_rehearsal_with_skip_kinds_and_waivers() -> None:
    ledger = bundle_ledger({"preflight": UNVERIFIED_CREDENTIALS, "api": ("skipped", "plain")})
    outcomes = ledger.gate_outcomes("rehearsal", BUNDLE_NODE, frozenset({"credentials"}))
    assert [gate.gate for gate in outcomes] == [
        g.name for g in GATES[: GATE_POSITION["rehearsal"] + 1]
    ]
    preflight, _, api, *_, rehearsal = outcomes
    (credentials,) = preflight.cases
    assert (preflight.status, credentials.outcome, credentials.skip) == (
        "skipped",
        "skipped",
        "unverified",
    )
    assert (credentials.check, credentials.waived, credentials.reason) == (
        "credentials",
        True,
        "no upload credentials",
    )
    assert (api.cases[0].skip, api.cases[0].waived) == (None, False)  # a skip of no kind
    assert [case.case for case in rehearsal.cases] == ["test_case"]  # not the bundle's own
    assert rehearsal.status == "passed"


def test_a_gate_proven_by_the_bundle_counts_as_passed() -> None:
    proven = SkipCause(SkipKind.PROVEN_BY_BUNDLE)
    ledger = ledger_before("testpypi", {"tests": ("skipped", "passed in the build job", proven)})
    assert ledger.records["tests"].status == "passed"
    assert publish_blockers(ledger, "testpypi") == []
