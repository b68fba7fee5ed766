"""Gate 7a: rehearsal. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_07a_rehearsal import *  # noqa: F403
