"""Gate 3: tests. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_03_tests import *  # noqa: F403
