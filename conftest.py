"""Root conftest: only what running the tests from a checkout needs, and the two loops.

``pytest`` runs every test, on every core (pytest-xdist, see pyproject.toml). ``pytest -m
"not slow"`` is the quick loop: the unit tests, and each plugin test once. A plugin test
that starts a pytest session of the release suite takes a second or so of a core, and all
the cases of all of them do not fit a quick loop; so the further cases of a parametrized
one (any parameter but its first) are marked slow here, as are, in their modules, the tests
that build packages or venvs or run several sessions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
# The plugin tests' helper modules assert too: pytest explains their failures as it does
# those of the tests themselves.
pytest.register_assert_rewrite("tests.plugin")

PLUGIN_TESTS = Path(__file__).parent / "tests" / "plugin"
# How a further case is marked slow: the keyword tells it from a test that is slow itself.
FURTHER_CASE = pytest.mark.slow(further_case=True)


def _is_further_case(item: pytest.Item) -> bool:
    """A case, but the first, of a parametrized plugin test that starts a pytest session."""
    indices: dict[str, int] = getattr(getattr(item, "callspec", None), "indices", {})
    return (
        any(indices.values())
        and isinstance(item, pytest.Function)
        and "pytester" in item.fixturenames
        and item.path.is_relative_to(PLUGIN_TESTS)
    )


def _weight(item: pytest.Item) -> int:
    """0: slow itself (builds, venvs, several sessions), 1: a further case, 2: the rest."""
    marks = list(item.iter_markers("slow"))
    if not marks:
        return 2
    return 1 if all(mark.kwargs.get("further_case") for mark in marks) else 0


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the further cases slow, before -m deselects; under xdist, run the slow tests
    first, the slowest kind first, so that no worker starts a long test when the others
    have nothing left to do. The sort is stable: pytest-randomly's shuffle (a wrapper, so
    made before this) holds within each kind, and every worker sorts the same way; --ff,
    --nf and --lf (wrappers too) order and select after it."""
    for item in items:
        if _is_further_case(item):
            item.add_marker(FURTHER_CASE)
    if hasattr(config, "workerinput"):
        items.sort(key=_weight)
