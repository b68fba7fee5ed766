"""Skip kinds as data: every skip a gate raises carries its kind and JUnit shows it (that
the publish guard decides by the kind alone, never by a skip's words, is shown in
test_publish's blocked publish)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from tests.plugin.gate_runs import GateRun, GateRunner, junit_properties
from tests.plugin.repos import ReleaseRepo


def properties_by_module(run: GateRun) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """JUnit class name (the module) -> test case name -> its properties."""
    found: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for case in ElementTree.parse(run.junit).getroot().iter("testcase"):
        found.setdefault(case.attrib["classname"], {})[case.attrib["name"]] = [
            (prop.attrib["name"], prop.attrib["value"]) for prop in case.iter("property")
        ]
    return found


def skip_properties(properties: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in properties if name.startswith("release_skip")] + [
        (name, value) for name, value in properties if name == "release_unverified"
    ]


def test_junit_records_the_kind_of_each_skip(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    run = run_gates(
        release_repo.root, "-m", "preflight or testpypi or pypi or tag or github-release"
    )

    properties = junit_properties(run)
    # Off GitHub the CI state cannot be read: unverified, naming the check that waives it.
    assert skip_properties(properties["test_ci_is_green_for_head"]) == [
        ("release_skip", "unverified"),
        ("release_unverified", "ci"),
    ]
    publish_cases = [
        properties
        for module, properties in properties_by_module(run).items()
        if module.endswith(
            ("test_07_testpypi", "test_08_pypi", "test_09_tag", "test_10_github_release")
        )
    ]
    assert len(publish_cases) == 4
    for cases in publish_cases:
        assert cases
        for case in cases.values():
            assert skip_properties(case) == [("release_skip", "not-selected")]
    # A case that passed carries no skip kind.
    assert skip_properties(properties["test_working_tree_is_clean"]) == []
