"""The gate markers, registered once a module of the suite is about to be collected (the
suite itself, or a user's ``release_tests/`` module that imports it): never in an ordinary
session, where a project's own marker named like a gate must stay unknown to
``--strict-markers``."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from pytest_release.checklist import GATES, PUBLISH_MARKER

SUITE = Path(__file__).resolve().parent.parent / "suite"
SUITE_IMPORT = b"pytest_release.suite"
_REGISTERED = pytest.StashKey[bool]()
_READ_BYTES = 1 << 16  # a module importing the suite says so at its top


def uses_the_suite(module_path: Path) -> bool:
    """Whether the module is one of the suite's, or imports it (what ``init`` writes).

    Asked of every module of every session where the plugin is installed, so it costs one
    ``stat`` and one short read: the suite's folder is recognised by its identity on disk
    (a symlink to it included), not by resolving every module's path."""
    try:
        if _same_folder(module_path.parent.stat(), _suite_identity()):
            return True
        with module_path.open("rb") as module:
            return SUITE_IMPORT in module.read(_READ_BYTES)
    except OSError:
        return False


@functools.cache
def _suite_identity() -> os.stat_result:
    return SUITE.stat()


def _same_folder(first: os.stat_result, second: os.stat_result) -> bool:
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def register_gate_markers(config: pytest.Config) -> None:
    """Each gate's marker and ``publish``, once per session."""
    if config.stash.get(_REGISTERED, False):
        return
    for gate in GATES:
        config.addinivalue_line(
            "markers", f"{gate.name}: release gate {gate.step}: {gate.checklist}"
        )
    config.addinivalue_line("markers", f"{PUBLISH_MARKER}: opt-in release gates that upload or tag")
    config.stash[_REGISTERED] = True
