"""Gate 1b: api. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_01b_api import *  # noqa: F403
