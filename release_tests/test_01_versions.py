"""Gate 1: versions. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_01_versions import *  # noqa: F403
