"""Gate 9: tag. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_09_tag import *  # noqa: F403
