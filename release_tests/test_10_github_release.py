"""Gate 10: github_release. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_10_github_release import *  # noqa: F403
