"""Gate 2: changelog. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_02_changelog import *  # noqa: F403
