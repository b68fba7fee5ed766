"""Work started ahead of the gate that needs it: it runs while the caller goes on, and its
result or its error reaches the caller."""

from __future__ import annotations

import threading

import pytest

from pytest_release.session.ahead import Ahead


def test_the_work_runs_while_the_caller_goes_on_and_its_result_is_returned() -> None:
    caller_went_on = threading.Event()

    def work() -> str:
        # Ends only once the caller has gone on past the start: it cannot run in its place.
        return "installed" if caller_went_on.wait(timeout=30) else "the caller waited"

    ahead = Ahead(work, "editable install")
    caller_went_on.set()
    assert ahead.result() == "installed"


def test_what_the_work_raised_is_raised_to_the_caller() -> None:
    def work() -> str:
        pytest.fail("creating a virtual environment failed", pytrace=False)

    ahead = Ahead(work, "editable install")
    ahead.wait()
    with pytest.raises(pytest.fail.Exception, match="creating a virtual environment failed"):
        ahead.result()
