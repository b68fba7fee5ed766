"""Written by `pytest-release init` as release_tests/conftest.py (this very file, which
needs nothing but pytest: the tests gate's fresh venv has no pytest-release): a plain
`pytest` in the repo leaves the release gates out; `pytest release_tests` runs them.

Without it, `pytest` in the repo would run the release (builds, venvs, uploads on
`-m publish`), and the tests gate's own `pytest -q` would run the gates again.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Collect the suite's folder only when the command line names it or a file in it."""
    suite = collection_path.parent
    named = (
        Path(config.invocation_params.dir, arg.split("::")[0]).resolve() for arg in config.args
    )
    if any(path == suite or suite in path.parents for path in named):
        return None
    return True
