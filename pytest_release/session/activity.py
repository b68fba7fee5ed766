"""What long fixture work is doing (builds, venvs, installs), said on the terminal as it
happens, package by package, through pytest's terminal reporter: only when it writes to a
terminal and not with ``-q``, so a log or a CI file holds pytest's usual lines alone.

Fixtures run while pytest captures the output: a line is written with capturing paused,
as pytest's live logging writes its lines (the capture manager's
``global_and_fixture_disabled``), or it would end in the test's captured output."""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest


def activity(config: pytest.Config, gate: str) -> Callable[[str], None]:
    """A function that says one line of ``gate``'s work (``build: built aetherflow-core
    0.2.0 (1.9 s)``), callable from worker threads; one that says nothing when the
    session's output is not a terminal or is quiet."""
    reporter: pytest.TerminalReporter | None = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not reporter.isatty() or reporter.verbosity < 0:
        return _silent
    capture = config.pluginmanager.get_plugin("capturemanager")
    lock = threading.Lock()

    def say(line: str) -> None:
        paused = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
        with lock, paused:  # the reporter is not made for threads: one line at a time
            reporter.write_line(f"{gate}: {line}")

    return say


def _silent(line: str) -> None:
    """Progress that is not shown."""


class HeldLines:
    """Progress of work running behind other gates: its lines are held while another case
    holds the terminal, and said (in order, then live) once the work's own gate waits for
    it, so they never cut into another case's output."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self._held: list[str] = []
        self._live = False
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            if self._live:
                self._say(line)
            else:
                self._held.append(line)

    def release(self) -> None:
        """Say the held lines and every later one as it comes."""
        with self._lock:
            self._live = True
            for line in self._held:
                self._say(line)
            self._held.clear()
