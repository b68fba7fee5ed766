"""The hook ``pytest-release init`` puts in a repo's ``release_tests/conftest.py`` when a
plain ``pytest`` there would collect the release gates: no ``testpaths`` keeps it out.

Without it, ``pytest`` in the repo would run the release (builds, venvs, uploads on
``-m publish``), and the ``tests`` gate's own ``pytest -q`` would run the gates again.
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
