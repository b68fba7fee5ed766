"""Runs of the release suite, as a user's repo holds it, in a pytest subprocess (pytester's
``runpytest_subprocess``), and what a run left: its output and its JUnit file."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.plugin.repos import CHECKOUT

SUITE = CHECKOUT / "release_tests"
# The gates that read files and git only. Runs select them unless a test passes its own -m:
# the gates that make venvs and builds are exercised by their own tests.
QUICK_GATES = ("preflight", "versions", "changelog")


@dataclass
class GateRun:
    result: pytest.RunResult
    junit: Path

    @property
    def output(self) -> str:
        return self.result.stdout.str() + self.result.stderr.str()

    def outcomes(self) -> dict[str, str]:
        """Test case name (with parameters) -> passed / failed / skipped, from the JUnit file."""
        cases = ElementTree.parse(self.junit).getroot().iter("testcase")
        found: dict[str, str] = {}
        for case in cases:
            outcome = "passed"
            for child in case:
                if child.tag in {"failure", "error"}:
                    outcome = "failed"
                elif child.tag == "skipped":
                    outcome = "skipped"
            found[case.attrib["name"]] = outcome
        return found

    def message(self, case: str) -> str:
        """The failure or skip message JUnit holds for a test case."""
        for element in ElementTree.parse(self.junit).getroot().iter("testcase"):
            if element.attrib["name"] == case:
                for child in element:
                    if child.tag in {"failure", "error", "skipped"}:
                        return child.attrib.get("message", "") + "\n" + (child.text or "")
        raise AssertionError(f"no failure or skip recorded for {case}")


class GateRunner:
    """Runs the release suite, as a user's repo holds it, in a pytest subprocess."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        shutil.copytree(SUITE, pytester.path / "release_tests")
        # The user's side: a pytest config beside the suite, as strict as ours.
        pytester.makeini(
            "[pytest]\naddopts = --strict-markers --strict-config\nfilterwarnings = error\n"
        )

    def __call__(
        self, root: Path, *args: str, indexes: tuple[str, str] = ("local", "local")
    ) -> GateRun:
        junit = self.pytester.path / "release.xml"
        junit.unlink(missing_ok=True)
        selection = () if "-m" in args else ("-m", " or ".join(QUICK_GATES))
        result = self.pytester.runpytest_subprocess(
            "release_tests",
            *selection,
            f"--monorepo={root}",
            f"--junitxml={junit}",
            f"--testpypi={indexes[0]}",
            f"--pypi={indexes[1]}",
            "-rA",
            *args,
            timeout=300,
        )
        return GateRun(result, junit)


def junit_properties(run: GateRun) -> dict[str, list[tuple[str, str]]]:
    """Test case name -> its JUnit properties (name, value), in file order."""
    root = ElementTree.parse(run.junit).getroot()
    return {
        case.attrib["name"]: [
            (prop.attrib["name"], prop.attrib["value"]) for prop in case.iter("property")
        ]
        for case in root.iter("testcase")
    }


def assert_no_secret(run: GateRun, *secrets: str) -> None:
    """No secret value appears in stdout, stderr or the JUnit file."""
    junit_text = run.junit.read_text(encoding="utf-8") if run.junit.exists() else ""
    for secret in secrets:
        assert secret not in run.output, "a secret was printed"
        assert secret not in junit_text, f"a secret was written to {run.junit}"
