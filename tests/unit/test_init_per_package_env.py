"""What ``pytest-release init`` writes for the test environment of a repo whose packages
keep test requirements files of their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from pytest_release.commands.init_guesses import per_package_env

PER_PACKAGE = {"test-command": "pytest -q tests", "test-env": "per-package"}
TESTED = ("opentelemetry-api", "opentelemetry-sdk", "exporter/otlp")


@pytest.mark.parametrize(
    ("tested", "files", "expected"),
    [
        pytest.param(
            TESTED,
            {
                "opentelemetry-api": ["test-requirements.txt", "pyproject.toml"],
                "opentelemetry-sdk": ["test-requirements.txt"],
                "exporter/otlp": ["requirements.in"],
            },
            PER_PACKAGE,
            id="two-packages-with-their-own-files",
        ),
        pytest.param(
            TESTED,
            {"opentelemetry-api": ["test-requirements.in"], "exporter/otlp": ["README.md"]},
            None,
            id="one-file-is-no-pattern",
        ),
        pytest.param(
            TESTED,
            {
                "opentelemetry-api": ["requirements-test.txt"],
                "exporter/otlp": ["test-requirements.latest.txt", "test-requirements.in"],
            },
            PER_PACKAGE,
            id="compiled-files-count",
        ),
        pytest.param(
            ("opentelemetry-api",),
            {"opentelemetry-api": ["test-requirements.txt"], "docs": ["test-requirements.txt"]},
            None,
            id="only-packages-with-tests-count",
        ),
        pytest.param(TESTED, {}, None, id="no-files"),
    ],
)
def test_per_package_environments_for_per_package_requirements(
    tested: Sequence[str], files: Mapping[str, Sequence[str]], expected: object
) -> None:
    assert per_package_env(tested, files) == expected
