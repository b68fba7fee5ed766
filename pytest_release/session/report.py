"""The final checklist, rendered from the ledger for the terminal and for GitHub's step summary."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pytest_release.checklist import GATES, UNVERIFIABLE_CHECKS
from pytest_release.redact import scrub_secrets
from pytest_release.session.ledger import GateRecord, Ledger, Outcome, case_name
from pytest_release.settings import Settings, as_written
from pytest_release.target.monorepo import Monorepo, MonorepoError

NAME_WIDTH = max(len(gate.name) for gate in GATES)  # the gate names line up
LABELS: dict[Outcome, str] = {
    "passed": "passed",
    "failed": "FAILED",
    "skipped": "skipped",
    "not run": "not run",
}


def _counts(record: GateRecord) -> str:
    outcomes: tuple[Outcome, ...] = ("passed", "failed", "skipped", "not run")
    parts = [f"{record.count(o)} {o}" for o in outcomes if record.count(o)]
    if parts:
        return ", ".join(parts)
    return "opt-in: -m publish" if record.gate.publish else "not selected"


def _details(record: GateRecord) -> list[str]:
    """What the gate's cases established, each said once: the cases of every package may
    say the same of the session (the packages whose builds were reused)."""
    return list(dict.fromkeys(record.details.values()))


def checklist_lines(ledger: Ledger, waived: Iterable[str] = ()) -> list[tuple[Outcome, str]]:
    """(status, line) for every checklist item, and beneath it what did not pass; last,
    the unverified checks the user waived."""
    lines: list[tuple[Outcome, str]] = []
    for record in ledger.in_order:
        gate = record.gate
        status = record.status
        lines.append(
            (
                status,
                f"{LABELS[status]:<8} {gate.step:<3} {gate.name:<{NAME_WIDTH}} {gate.checklist}"
                f"  [{_counts(record)}]",
            )
        )
        for detail in _details(record):
            lines.append((status, f"{'':13}{detail}"))
        skipped = [n for n, outcome in record.outcomes.items() if outcome == "skipped"]
        reasons = {record.reasons.get(nodeid, "") for nodeid in skipped}
        shared = len(skipped) > 1 and len(reasons) == 1  # one line for "publish not selected"
        for nodeid, outcome in record.outcomes.items():
            if outcome == "failed":
                lines.append((outcome, f"{'':13}failed: {case_name(nodeid)}"))
            elif outcome == "skipped" and not shared:
                reason = record.reasons.get(nodeid, "")
                lines.append((outcome, f"{'':13}skipped: {case_name(nodeid)}: {reason}"))
        if shared:
            lines.append(("skipped", f"{'':13}skipped: {len(skipped)} cases: {reasons.pop()}"))
    for check in sorted(waived):
        what = UNVERIFIABLE_CHECKS.get(check, "")
        lines.append(("skipped", f"{'waived':<13}--allow-unverified {check}: {what}"))
    return lines


def checklist_markdown(ledger: Ledger, waived: Iterable[str] = ()) -> str:
    """The checklist as a Markdown table, then what the gates established (uploads in
    order, tags) and the waived checks."""
    icons: dict[Outcome, str] = {
        "passed": ":white_check_mark:",
        "failed": ":x:",
        "skipped": ":warning:",
        "not run": ":white_circle:",
    }
    rows = [
        "## Release checklist",
        "",
        "| | step | gate | checklist | result |",
        "|---|---|---|---|---|",
    ]
    for record in ledger.in_order:
        rows.append(
            f"| {icons[record.status]} | {record.gate.step} | `{record.gate.name}` "
            f"| {record.gate.checklist} | {_counts(record)} |"
        )
    notes = [
        f"- `{record.gate.name}`: {detail}"
        for record in ledger.in_order
        for detail in _details(record)
    ]
    notes += [f"- waived: `--allow-unverified {check}`" for check in sorted(waived)]
    return "\n".join([*rows, *(["", *notes] if notes else [])]) + "\n"


def _shown(value: object) -> str:
    if value is None:
        return "(discovered)"
    if isinstance(value, tuple):
        return "[" + ", ".join(repr(part) for part in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Path):
        return repr(str(value))
    return repr(scrub_secrets(value, ())) if isinstance(value, str) else repr(value)


def header_lines(settings: Settings, monorepo: Monorepo | MonorepoError) -> list[str]:
    """What the session releases, and where each setting came from."""
    if settings.release_version:
        source = settings.sources.get("release-version", "default")
        version = f"{settings.release_version} (from {source})"
    else:
        version = "not given: the packages' common version"
    lines = [f"release target: {settings.root}", f"release version: {version}"]
    if isinstance(monorepo, MonorepoError):
        lines.append("release packages: cannot be read (see the preflight gate)")
    else:
        lines.append(
            "release packages, in publish order: "
            + ", ".join(f"{p.name} {p.version_text or '?'}" for p in monorepo.packages)
        )
    by_source: dict[str, list[str]] = {}
    for key, source in settings.sources.items():
        # The release version has its own line; no bundle is no setting to show.
        if key != "release-version" and not (key == "bundle" and settings.bundle is None):
            value = _shown(as_written(key, getattr(settings, key.replace("-", "_"))))
            by_source.setdefault(source, []).append(f"{key} = {value}")
    for source, entries in by_source.items():
        label = "defaults" if source == "default" else f"from {source}"
        lines.append(f"release settings {label}: {'; '.join(entries)}")
    return lines


def add_to_step_summary(summary_file: str, markdown: str) -> str | None:
    """Append the checklist to GitHub's step summary; what went wrong, if something did."""
    try:
        with Path(summary_file).open("a", encoding="utf-8") as summary:
            summary.write(markdown)
    except OSError as error:
        return f"the checklist could not be added to GITHUB_STEP_SUMMARY: {error}"
    return None
