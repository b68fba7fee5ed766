"""Gate 8: pypi. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_08_pypi import *  # noqa: F403
