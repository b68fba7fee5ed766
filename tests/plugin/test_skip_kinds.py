"""Skip kinds as data: every skip a gate raises carries its kind, JUnit shows it, and the
publish guard decides by the kind alone, never by a skip's words."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from tests.plugin.gate_runs import GateRun, GateRunner, junit_properties
from tests.plugin.repos import VERSION, ReleaseRepo

USER_GATES = """
import pytest

from pytest_release.gate import skip_nothing_to_check


@pytest.mark.preflight
def test_a_plain_skip_that_sounds_harmless():
    pytest.skip("nothing to check: waived with --allow-unverified ci")


@pytest.mark.preflight
def test_a_harmless_skip_of_the_users_own():
    skip_nothing_to_check("this repository has no documentation to build")
"""


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
    run = run_gates(release_repo.root, "-m", "preflight or testpypi or pypi or tag")

    properties = junit_properties(run)
    # Off GitHub the CI state cannot be read: unverified, naming the check that waives it.
    assert skip_properties(properties["test_ci_is_green_for_head"]) == [
        ("release_skip", "unverified"),
        ("release_unverified", "ci"),
    ]
    publish_cases = [
        properties
        for module, properties in properties_by_module(run).items()
        if module.endswith(("test_07_testpypi", "test_08_pypi", "test_09_tag"))
    ]
    assert len(publish_cases) == 3
    for cases in publish_cases:
        assert cases
        for case in cases.values():
            assert skip_properties(case) == [("release_skip", "not-selected")]
    # A case that passed carries no skip kind.
    assert skip_properties(properties["test_working_tree_is_clean"]) == []


@pytest.mark.slow
def test_the_guard_blocks_a_skip_of_no_kind_whatever_its_words(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    (run_gates.pytester.path / "release_tests" / "test_users_own_checks.py").write_text(
        USER_GATES, encoding="utf-8"
    )

    run = run_gates(
        release_repo.root,
        "-m",
        "publish",
        "--release-version",
        VERSION,
        "--allow-unverified",
        "ci",
    )

    properties = junit_properties(run)
    # The user's plain skip has no kind, so it blocks, though its words are those of a
    # harmless or a waived skip; their skip through pytest-release's helper does not.
    assert skip_properties(properties["test_a_plain_skip_that_sounds_harmless"]) == []
    assert skip_properties(properties["test_a_harmless_skip_of_the_users_own"]) == [
        ("release_skip", "nothing-to-check")
    ]
    upload = properties["test_upload_to_testpypi[aetherflow-core]"]
    assert skip_properties(upload) == [("release_skip", "blocked")]
    blocked = run.message("test_upload_to_testpypi[aetherflow-core]")
    assert "blocked, nothing sent" in blocked
    assert "test_a_plain_skip_that_sounds_harmless" in blocked
    assert "test_a_harmless_skip_of_the_users_own" not in blocked
    # Nothing was sent anywhere, and nothing tagged.
    assert release_repo.git("tag", "--list", f"v{VERSION}") == ""
    assert run.result.ret == pytest.ExitCode.OK
