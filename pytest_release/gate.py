"""How a gate ends: fail with every problem at once, or skip what could not be verified."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import pytest

from pytest_release.problems import Problem, render_problems
from pytest_release.session.guard import NOTHING_TO_CHECK, WAIVED, not_verified
from pytest_release.settings import Settings


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
        pytest.skip(f"{reason} ({WAIVED} {check})")
    pytest.skip(f"{reason} ({not_verified(check)})")


def skip_nothing_to_check(reason: str) -> NoReturn:
    """Skip a check that the configuration gives nothing to do (no smoke commands, no
    public API named): unlike a check that could not be verified, it does not block a
    publish run."""
    pytest.skip(f"{NOTHING_TO_CHECK}: {reason}")
