"""Gate 6: build. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_06_build import *  # noqa: F403
