"""The publish guard: a publish step acts only when every gate before it passed in this
session. Pure logic over the ledger: a skip is judged by its kind, never by its words."""

from __future__ import annotations

from collections.abc import Iterable

from pytest_release.checklist import GATE_POSITION
from pytest_release.session.ledger import GateRecord, Ledger, case_name

PUBLISH_NOT_SELECTED = (
    "publish not selected: uploads and tags run only with `-m publish` and --release-version"
)


def _blocker(
    record: GateRecord,
    waived: frozenset[str],
    *,
    skips_block: bool = True,
    leave_out: str | None = None,
) -> str | None:
    """Why ``record``'s gate does not clear the way to publishing (or to a bundle), or
    None; ``skips_block``: a skip that does not clear the way blocks; ``leave_out``: a case
    not to judge (the one asking)."""
    name = record.gate.name
    outcomes = {n: outcome for n, outcome in record.outcomes.items() if n != leave_out}
    if not outcomes:
        return f"gate `{name}` did not run in this session"
    failed = [case_name(n) for n, outcome in outcomes.items() if outcome == "failed"]
    if failed:
        return f"gate `{name}` failed ({', '.join(failed)})"
    unfinished = [case_name(n) for n, outcome in outcomes.items() if outcome == "not run"]
    if unfinished:
        return f"gate `{name}` did not finish ({', '.join(unfinished)} not run)"
    if not skips_block:
        return None
    for nodeid, outcome in outcomes.items():
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


def bundle_blockers(ledger: Ledger, leave_out: str) -> list[str]:
    """Why a dry run must not write a release bundle: one line for each gate up to the
    rehearsal that failed or did not run, or (a gate whose work the bundle carries) did not
    pass; empty when it may be written. ``leave_out``: the case writing the bundle.

    A gate that a publish run from the bundle runs again may have skipped a check (the
    upload credentials, which a build job holds none of): the publish run makes it."""
    from pytest_release.publish.bundle import BUNDLE_THROUGH, REREAD_GATES

    blockers: list[str] = []
    for record in ledger.in_order[: GATE_POSITION[BUNDLE_THROUGH] + 1]:
        skips_block = record.gate.name not in REREAD_GATES
        blocker = _blocker(record, frozenset(), skips_block=skips_block, leave_out=leave_out)
        if blocker:
            blockers.append(blocker)
    return blockers
