"""Gate 7: testpypi. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_07_testpypi import *  # noqa: F403
