"""The publish guard: a publish step acts only when every gate before it passed in this
session. Pure logic over the ledger: a skip is judged by its kind, never by its words."""

from __future__ import annotations

from collections.abc import Iterable

from pytest_release.checklist import GATE_POSITION
from pytest_release.session.ledger import GateRecord, Ledger, case_name

PUBLISH_NOT_SELECTED = (
    "publish not selected: uploads and tags run only with `-m publish` and --release-version"
)


def _blocker(record: GateRecord, waived: frozenset[str]) -> str | None:
    """Why ``record``'s gate does not clear the way to publishing, or None."""
    name = record.gate.name
    if not record.outcomes:
        return f"gate `{name}` did not run in this session"
    failed = [case_name(n) for n, outcome in record.outcomes.items() if outcome == "failed"]
    if failed:
        return f"gate `{name}` failed ({', '.join(failed)})"
    unfinished = [case_name(n) for n, outcome in record.outcomes.items() if outcome == "not run"]
    if unfinished:
        return f"gate `{name}` did not finish ({', '.join(unfinished)} not run)"
    for nodeid, outcome in record.outcomes.items():
        cause = record.skips.get(nodeid)
        if outcome == "skipped" and not (cause and cause.clears_the_way(waived)):
            reason = record.reasons.get(nodeid, "") or "skipped"
            return f"gate `{name}` did not verify {case_name(nodeid)}: {reason}"
    return None


def publish_blockers(ledger: Ledger, gate_name: str, waived: Iterable[str] = ()) -> list[str]:
    """Why the publish gate ``gate_name`` must not act: one line for each gate before it
    (publish gates included) that did not pass in this session; empty when all did.
    ``waived``: the unverified checks the user waived by name."""
    waived = frozenset(waived)
    earlier = ledger.in_order[: GATE_POSITION[gate_name]]
    checks = [b for r in earlier if not r.gate.publish and (b := _blocker(r, waived))]
    # An earlier publish step is named only when the checks cleared the way to it:
    # otherwise it was blocked for the same reasons.
    return checks or [blocker for r in earlier if (blocker := _blocker(r, waived))]
