"""Which items of a session are gates, which gate each is, and whether the run publishes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pytest_release.checklist import GATE_NAMES, GATE_POSITION, PUBLISH_MARKER, gate_named

SUITE_PACKAGE = "pytest_release.suite"
SUITE_FOLDER = Path(__file__).resolve().parents[1] / "suite"
_GATES = frozenset(GATE_NAMES)


def from_the_suite(item: pytest.Item) -> bool:
    """A gate test case of pytest-release's own suite (wherever a thin module imports it)."""
    module = getattr(getattr(item, "obj", None), "__module__", None) or ""
    return module.startswith(SUITE_PACKAGE + ".")


def gate_of(item: pytest.Item) -> str | None:
    """The gate an item belongs to by its markers: the earliest, if it carries several."""
    names = _GATES.intersection(mark.name for mark in item.iter_markers())
    return min(names, key=GATE_POSITION.__getitem__) if names else None


def writes_the_bundle(item: pytest.Item, gate: str | None) -> bool:
    """The rehearsal's case that writes (dry run) or checks (publish run) a release bundle."""
    return gate is not None and is_the_bundle_case(item.name, getattr(item, "obj", None))


def is_the_bundle_case(name: str, obj: object) -> bool:
    """Whether ``name`` in a test module is the suite's release bundle case."""
    from pytest_release.publish.bundle import BUNDLE_CASE, BUNDLE_MODULE

    module = getattr(obj, "__module__", None)
    return name == BUNDLE_CASE and module == f"{SUITE_PACKAGE}.{BUNDLE_MODULE}"


def bundle_asked(config: pytest.Config) -> bool:
    """Whether the run is given a release bundle's folder (--bundle, RELEASE_BUNDLE): read
    before the settings are, to collect the bundle's case."""
    from pytest_release.settings import BUNDLE_VARIABLE

    given = config.getoption("release_bundle", None)
    return bool(given or os.environ.get(BUNDLE_VARIABLE, "").strip())


def publishes(gate: str | None) -> bool:
    return gate is not None and gate_named(gate).publish


def names_publish(markexpr: str) -> bool:
    """Whether the -m expression names the `publish` marker other than as `not publish`:
    the opt-in to a publish run (which also needs a publish gate to be selected)."""
    words = re.split(r"[\s()]+", markexpr)
    return any(
        word == PUBLISH_MARKER and (position == 0 or words[position - 1] != "not")
        for position, word in enumerate(words)
    )


def imports_the_suite(file: Path) -> bool:
    """Whether a collected test file is (or imports) a module of the release suite."""
    if file.is_relative_to(SUITE_FOLDER):
        return True
    try:
        return SUITE_PACKAGE in file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def refuse_target_ini(config: pytest.Config, root: Path, items: list[pytest.Item]) -> None:
    """Stop when pytest took its configuration from the target instead of the suite's side.

    pytest picks its ini file before plugins load, reading `--monorepo PATH`'s PATH as a
    test path; the target's addopts, markers and testpaths would then rule the session.
    """
    inipath = config.inipath
    if inipath is None or not inipath.is_relative_to(root):
        return
    if all(item.path.is_relative_to(inipath.parent) for item in items):
        return
    raise pytest.UsageError(
        f"pytest took its configuration from {inipath}, inside the target repository, "
        "because it read the PATH of `--monorepo PATH` as a test path before this plugin "
        "loaded. Write --monorepo=PATH (with '='), or put a pytest configuration "
        "(pytest.ini or [tool.pytest.ini_options]) next to the release suite."
    )
