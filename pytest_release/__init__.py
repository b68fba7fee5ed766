"""pytest-release: a release checklist as an ordered pytest suite."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from pytest_release.problems import Problem

try:
    __version__ = version("pytest-release")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["Problem", "__version__"]
