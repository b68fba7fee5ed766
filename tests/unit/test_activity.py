"""Progress of long fixture work: said through pytest's terminal reporter on a terminal,
nothing when the output is not one or is quiet."""

from __future__ import annotations

import io

import pytest

from pytest_release.session.activity import HeldLines, activity


class Terminal(io.StringIO):
    """Output that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def said(pytester: pytest.Pytester, output: io.StringIO, *options: str) -> str:
    """What ``activity`` writes for two lines through a terminal reporter on ``output``."""
    config = pytester.parseconfigure(*options)
    config.pluginmanager.unregister(name="terminalreporter")
    config.pluginmanager.register(pytest.TerminalReporter(config, output), "terminalreporter")
    say = activity(config, "build")
    say("building aetherflow-core 0.2.0")
    say("built aetherflow-core 0.2.0 (1.9 s)")
    return output.getvalue()


def test_progress_is_said_line_by_line_on_a_terminal(pytester: pytest.Pytester) -> None:
    assert said(pytester, Terminal()).splitlines() == [
        "build: building aetherflow-core 0.2.0",
        "build: built aetherflow-core 0.2.0 (1.9 s)",
    ]


def test_nothing_is_said_when_quiet_or_not_on_a_terminal(pytester: pytest.Pytester) -> None:
    assert said(pytester, Terminal(), "-q") == ""
    assert said(pytester, io.StringIO()) == ""


def test_held_lines_are_said_in_order_once_released_and_later_ones_live() -> None:
    heard: list[str] = []
    held = HeldLines(heard.append)
    held("building aetherflow-core 0.2.0")
    held("built aetherflow-core 0.2.0 (1.9 s)")
    assert heard == []
    held.release()
    assert heard == ["building aetherflow-core 0.2.0", "built aetherflow-core 0.2.0 (1.9 s)"]
    held("built aetherflow 0.2.0 (2.1 s)")
    assert heard[-1] == "built aetherflow 0.2.0 (2.1 s)"
