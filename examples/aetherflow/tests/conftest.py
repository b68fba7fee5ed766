"""Run the tests from a checkout, without installing: the three src folders go
on sys.path (``aetherflow`` is a namespace package spread over all three)."""

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC_DIRS = [
    str(ROOT / "packages" / dist / "src")
    for dist in ("aetherflow-core", "aetherflow-scheduler", "aetherflow")
]
sys.path[:0] = SRC_DIRS

from aetherflow.core import registry  # noqa: E402  (needs the src folders on sys.path)


@pytest.fixture(autouse=True)
def _restore_registries() -> Iterator[None]:
    """Steps and connectors a test registers are gone after it."""
    steps, connectors = dict(registry.STEPS), dict(registry.CONNECTORS)
    yield
    registry.STEPS.clear()
    registry.STEPS.update(steps)
    registry.CONNECTORS.clear()
    registry.CONNECTORS.update(connectors)


@pytest.fixture
def demo_flow() -> Path:
    return ROOT / "demo" / "flow.yaml"


@pytest.fixture
def write_flow(tmp_path: Path) -> Callable[[str], Path]:
    """Write a flow file and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "flow.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def src_env() -> dict[str, str]:
    """The environment for a child Python that imports the packages from src."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(SRC_DIRS)}
