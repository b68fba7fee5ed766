"""Gate 0: preflight. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_00_preflight import *  # noqa: F403
