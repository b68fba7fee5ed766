"""Gate 5: cli. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_05_cli import *  # noqa: F403
