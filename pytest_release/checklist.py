"""The gate registry: each gate's name, its place in the checklist, and what it proves;
and what a skipped case of a gate means (pure data, no pytest)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Literal


@dataclass(frozen=True)
class Gate:
    name: str  # also the marker and the JUnit property `release_gate`
    step: str  # the checklist's numbering: "0", "1b", "7a" ...
    checklist: str  # the checklist line this gate proves
    publish: bool = False  # opt-in: only runs with `-m publish`


GATES: tuple[Gate, ...] = (
    Gate(
        "preflight",
        "0",
        "Preflight: clean tree, release branch, up to date with the remote, "
        "CI green for HEAD, upload credentials present",
    ),
    Gate(
        "versions",
        "1",
        "Versions bumped in every package, strict SemVer, internal ranges satisfiable, "
        "publish order from the graph",
    ),
    Gate("api", "1b", "Public API boundary preserved (a break needs a major bump)"),
    Gate("changelog", "2", "CHANGELOG entry dated, with its sections and migration notes"),
    Gate("tests", "3", "The full test suite is green"),
    Gate("editable", "4", "Editable install and import smoke in a fresh venv"),
    Gate("cli", "5", "CLI smoke: --help works, commands fail cleanly without a traceback"),
    Gate("build", "6", "sdist and wheel built and verified for every package"),
    Gate("rehearsal", "7a", "Rehearsal: upload to a local index, clean install, smoke"),
    Gate("testpypi", "7", "Upload to TestPyPI in order, clean install and smoke", publish=True),
    Gate("pypi", "8", "Upload to PyPI in the same order", publish=True),
    Gate("tag", "9", "Tag the release and push the tags", publish=True),
    Gate("github-release", "10", "GitHub release with the changelog notes", publish=True),
)

GATE_NAMES: tuple[str, ...] = tuple(gate.name for gate in GATES)
GATE_POSITION: dict[str, int] = {gate.name: position for position, gate in enumerate(GATES)}
PUBLISH_MARKER = "publish"
# A test case's user property whose value the final checklist shows under its gate.
CHECKLIST_DETAIL = "checklist_detail"

# Checks that may end in "could not be verified"; `--allow-unverified NAME` waives one.
UNVERIFIABLE_CHECKS: dict[str, str] = {
    "upstream": "the branch could not be compared with its upstream (remote unreachable)",
    "ci": "the CI state of HEAD could not be read",
}


def gate_named(name: str) -> Gate:
    return GATES[GATE_POSITION[name]]


# How a gate case ended; "not run": collected, and never ran (an interrupted session).
Outcome = Literal["passed", "failed", "skipped", "not run"]


class SkipKind(Enum):
    """What a skipped gate case means for a publish run, recorded as data by the ledger."""

    UNVERIFIED = "unverified"  # a check could not be made; blocks unless waived by name
    NOTHING_TO_CHECK = "nothing-to-check"  # the configuration gives it nothing to do
    NOT_IN_THIS_RELEASE = "not-in-this-release"  # a package this release leaves alone
    NOT_SELECTED = "not-selected"  # an opt-in publish case of a run that does not publish
    BLOCKED = "blocked"  # not run, because something it needs did not pass
    # passed in the build job: the release bundle's manifest records it for this commit
    PROVEN_BY_BUNDLE = "proven-by-bundle"


# Skips that never stand between the checks and a publish.
HARMLESS_SKIPS = frozenset(
    {SkipKind.NOTHING_TO_CHECK, SkipKind.NOT_IN_THIS_RELEASE, SkipKind.PROVEN_BY_BUNDLE}
)


@dataclass(frozen=True)
class SkipCause:
    """Why a gate case was skipped: its kind, and for an unverified one, which check."""

    kind: SkipKind
    check: str | None = None

    def clears_the_way(self, waived: Iterable[str]) -> bool:
        """Whether a publish may go on past this skip, with the ``waived`` checks."""
        if self.kind is SkipKind.UNVERIFIED:
            return self.check is not None and self.check in waived
        return self.kind in HARMLESS_SKIPS
