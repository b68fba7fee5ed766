"""How a gate case ends: it fails with every problem at once, or it skips with a kind.

A skip's kind travels as data (``GateSkip.cause``), never as words in its message: the
plugin records it in the ledger, and the publish guard decides by it alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NoReturn

import pytest

from pytest_release.checklist import SkipCause, SkipKind
from pytest_release.problems import Problem, render_problems

if TYPE_CHECKING:
    from pytest_release.settings import Settings


# pytest.skip.Exception is the public spelling of pytest's skip; mypy cannot take an
# attribute of a function as a base class, hence the ignore.
class GateSkip(pytest.skip.Exception):  # type: ignore[misc, name-defined]
    """A gate case's skip, carrying what it means for a publish run."""

    def __init__(self, reason: str, cause: SkipCause) -> None:
        super().__init__(reason)
        self.cause = cause


def fail_with(problems: Iterable[Problem]) -> None:
    """Fail the current gate with all ``problems`` (no traceback); pass when there are none."""
    found = list(problems)
    if found:
        pytest.fail(render_problems(found), pytrace=False)


def skip_unverified(settings: Settings, check: str, reason: str) -> NoReturn:
    """Skip a check that could not be verified, saying how to waive it.

    A skipped check is not a passed one: a publish run refuses to go on past it
    unless the user waived it with ``--allow-unverified CHECK``.
    """
    if check in settings.allow_unverified:
        how = f"waived with --allow-unverified {check}"
    else:
        how = f"not verified; a publish run needs --allow-unverified {check}"
    raise GateSkip(f"{reason} ({how})", SkipCause(SkipKind.UNVERIFIED, check))


def skip_nothing_to_check(reason: str) -> NoReturn:
    """Skip a check that the configuration gives nothing to do (no smoke commands, no
    public API named): unlike a check that could not be verified, it does not block a
    publish run."""
    raise GateSkip(f"nothing to check: {reason}", SkipCause(SkipKind.NOTHING_TO_CHECK))


def skip_unneeded_in_a_dry_run(check: str, problems: Iterable[Problem]) -> NoReturn:
    """Skip a check of what only a publish run uses (upload credentials: a build job holds
    none) in a run that publishes nothing; the checklist shows it unverified. A publish run
    fails the check instead, before anything is sent: it has no waiver."""
    said = render_problems(problems)
    raise GateSkip(
        f"not verified: {said}\n  a dry run sends nothing and needs none; a publish run fails here",
        SkipCause(SkipKind.UNVERIFIED, check),
    )


def skip_blocked(reason: str) -> NoReturn:
    """Skip a case that cannot run because something it needs did not pass (a failed
    install, a build that made no wheel); it blocks a publish run, as that failure does."""
    raise GateSkip(reason, SkipCause(SkipKind.BLOCKED))


def skip_not_in_this_release(reason: str) -> NoReturn:
    """Skip a case of a package this release leaves out (unchanged since its last release,
    under independent versioning): it does not block a publish run."""
    raise GateSkip(f"not in this release: {reason}", SkipCause(SkipKind.NOT_IN_THIS_RELEASE))


def skip_not_selected(reason: str) -> NoReturn:
    """Skip an opt-in publish case in a run that does not publish."""
    raise GateSkip(reason, SkipCause(SkipKind.NOT_SELECTED))


def skip_proven_by_bundle(reason: str) -> NoReturn:
    """Skip a case that a publish run from a release bundle does not run again: the
    bundle's manifest records it passed in the build job for this very commit and version.
    It clears the way to publishing, as a pass does."""
    raise GateSkip(reason, SkipCause(SkipKind.PROVEN_BY_BUNDLE))
