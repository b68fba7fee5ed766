"""The publish guard: a publish step acts only when every gate before it passed in this
session. Pure logic over the ledger; the publish gates skip with what it says."""

from __future__ import annotations

from pytest_release.checklist import GATE_POSITION
from pytest_release.session.ledger import GateRecord, Ledger, case_name

# The skip reasons that do not block a publish run: a check the configuration gives
# nothing to do, and an unverified check the user waived by name.
NOTHING_TO_CHECK = "nothing to check"
WAIVED = "waived with --allow-unverified"
PUBLISH_NOT_SELECTED = (
    "publish not selected: uploads and tags run only with `-m publish` and --release-version"
)


def not_verified(check: str) -> str:
    return f"not verified; a publish run needs --allow-unverified {check}"


def accepted_skip(reason: str) -> bool:
    return reason.startswith(NOTHING_TO_CHECK) or WAIVED in reason


def _blocker(record: GateRecord) -> str | None:
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
        reason = record.reasons.get(nodeid, "")
        if outcome == "skipped" and not accepted_skip(reason):
            return f"gate `{name}` did not verify {case_name(nodeid)}: {reason}"
    return None


def publish_blockers(ledger: Ledger, gate_name: str) -> list[str]:
    """Why the publish gate ``gate_name`` must not act: one line for each gate before it
    (publish gates included) that did not pass in this session; empty when all did."""
    earlier = ledger.in_order[: GATE_POSITION[gate_name]]
    checks = [blocker for r in earlier if not r.gate.publish and (blocker := _blocker(r))]
    # An earlier publish step is named only when the checks cleared the way to it:
    # otherwise it was blocked for the same reasons.
    return checks or [blocker for r in earlier if (blocker := _blocker(r))]
