"""The ledger: every gate's test cases and their outcomes, in checklist order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pytest_release.checklist import GATE_POSITION, GATES, Gate, SkipCause, SkipKind
from pytest_release.checklist import Outcome as Outcome

if TYPE_CHECKING:
    from pytest_release.publish.manifest import CaseOutcome, GateOutcome

_SEVERITY: dict[Outcome, int] = {"not run": 0, "passed": 1, "skipped": 2, "failed": 3}


def case_name(nodeid: str) -> str:
    """A test case's name with its parameters, without its module."""
    return nodeid.rpartition("::")[2]


def overall(outcomes: Iterable[Outcome]) -> Outcome:
    """The outcome of a gate whose cases had ``outcomes``: failed if any failed; else skipped
    if any was skipped; else not run if any never ran (an interrupted session); passed only
    if every case passed (not run without cases)."""
    found = set(outcomes)
    for status in ("failed", "skipped", "not run"):
        if status in found:
            return status
    return "passed" if found else "not run"


@dataclass
class GateRecord:
    gate: Gate
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # node id -> outcome
    reasons: dict[str, str] = field(default_factory=dict)  # node id -> first line of a skip
    # node id -> what its skip means; None: a skip without a kind (a plain pytest.skip)
    skips: dict[str, SkipCause | None] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)  # node id -> what it established

    def count(self, outcome: Outcome) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    @property
    def status(self) -> Outcome:
        """failed if any case failed; else skipped if any was skipped; else not run if any
        case never ran (an interrupted session); passed only if every case passed, in this
        session or, by a release bundle's record, in the build job."""
        return overall(
            "passed" if self._proven_by_bundle(nodeid) else outcome
            for nodeid, outcome in self.outcomes.items()
        )

    def _proven_by_bundle(self, nodeid: str) -> bool:
        cause = self.skips.get(nodeid)
        return cause is not None and cause.kind is SkipKind.PROVEN_BY_BUNDLE

    def outcome_of(self, nodeid: str, waived: frozenset[str]) -> CaseOutcome:
        """A case's outcome as a release bundle's manifest records it."""
        from pytest_release.publish.manifest import CaseOutcome

        cause = self.skips.get(nodeid) if self.outcomes[nodeid] == "skipped" else None
        return CaseOutcome(
            case=case_name(nodeid),
            outcome=self.outcomes[nodeid],
            skip=cause.kind.value if cause else None,
            check=cause.check if cause else None,
            waived=bool(cause and cause.check and cause.check in waived),
            reason=self.reasons.get(nodeid, ""),
        )


class Ledger:
    def __init__(self, collected: Iterable[tuple[str, str]]) -> None:
        """``collected``: (gate name, node id) of every selected gate test case."""
        self.records = {gate.name: GateRecord(gate) for gate in GATES}
        for gate_name, nodeid in collected:
            self.records[gate_name].outcomes[nodeid] = "not run"

    def record(
        self,
        gate_name: str,
        nodeid: str,
        outcome: Outcome,
        reason: str = "",
        skip: SkipCause | None = None,
    ) -> None:
        """Keep the worst outcome a test case reached across setup, call and teardown;
        for a skip, its reason and what it means (``skip``, None for a skip of no kind)."""
        record = self.records[gate_name]
        if _SEVERITY[outcome] >= _SEVERITY[record.outcomes.get(nodeid, "not run")]:
            record.outcomes[nodeid] = outcome
            if reason:
                record.reasons[nodeid] = reason
            if outcome == "skipped":
                record.skips[nodeid] = skip

    def record_detail(self, gate_name: str, nodeid: str, detail: str) -> None:
        self.records[gate_name].details[nodeid] = detail

    def gate_outcomes(
        self, through: str, leave_out: str, waived: frozenset[str]
    ) -> tuple[GateOutcome, ...]:
        """Every gate's outcome up to ``through`` (included) as a release bundle's manifest
        records it, without the case ``leave_out`` (the one writing the bundle)."""
        from pytest_release.publish.manifest import GateOutcome

        found: list[GateOutcome] = []
        for record in self.in_order[: GATE_POSITION[through] + 1]:
            cases = tuple(
                record.outcome_of(nodeid, waived)
                for nodeid in record.outcomes
                if nodeid != leave_out
            )
            status = overall(case.outcome for case in cases)
            found.append(GateOutcome(record.gate.name, status, cases))
        return tuple(found)

    @property
    def in_order(self) -> list[GateRecord]:
        return [self.records[gate.name] for gate in GATES]

    @property
    def failed(self) -> list[GateRecord]:
        return [record for record in self.in_order if record.status == "failed"]
