"""Gate 4: editable. The checks live in pytest_release.suite; this module runs them here."""

from pytest_release.suite.test_04_editable import *  # noqa: F403
