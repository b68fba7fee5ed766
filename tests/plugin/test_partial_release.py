"""A partial release under independent versioning: eight packages, each tagged at an earlier
commit by its own tags (one in a form of its own, from the ``tags`` table); three changed
and were bumped, one changed without a bump, four are unchanged. The dry run goes to the
rehearsal; the unchanged packages are not in this release."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_release.cli import main
from tests.plugin.gate_runs import GateRunner
from tests.plugin.repos import ReleaseRepo
from tests.plugin.test_real_shapes import (
    UNVERIFIED_OFF_GITHUB,
    _changelog,
    _package,
    _released_repo,
    _tree,
)

pytestmark = [pytest.mark.slow]

ROOT = """\
[tool.pytest-release]
packages = ["libs/*"]
versioning = "independent"
tag = "{name}-v{version}"
tags = { acme-checkpoint = "checkpoint=={version}" }
test-command = "pytest -q tests"
"""
TEST = "def test_the_repo_has_a_test() -> None:\n    assert True\n"
# (folder, name, version at the last tags, version now, requirements)
PACKAGES = (
    ("utils", "acme-utils", "0.5.0", "0.5.0", ()),
    ("log", "acme-log", "1.2.0", "1.2.0", ()),
    ("http", "acme-http", "2.0.1", "2.0.1", ("acme-log>=1.2,<2",)),
    ("core", "acme-core", "1.0.0", "1.1.0", ("acme-utils>=0.5,<0.6",)),
    ("checkpoint", "acme-checkpoint", "4.2.0", "4.3.0", ("acme-core>=1.0,<2",)),
    ("store", "acme-store", "2.0.0", "2.0.0", ("acme-core>=1.0,<2",)),
    ("legacy", "acme-legacy", "0.9.0", "0.9.0", ()),
    ("cli", "acme-cli", "0.3.0", "0.4.0", ("acme-checkpoint>=4.2,<5", "acme-http>=2,<3")),
)
RELEASED = ("acme-core", "acme-checkpoint", "acme-store", "acme-cli")  # store: not bumped
LEFT_OUT = ("acme-utils", "acme-log", "acme-http", "acme-legacy")
CHANGED = ("acme-core", "acme-checkpoint", "acme-store", "acme-cli")


def _files(now: bool) -> dict[str, str]:
    packages = {}
    for folder, name, before, after, requirements in PACKAGES:
        package = _package(name, after if now else before, requirements)
        if now and name in CHANGED:
            package["README.md"] += "\nWhat changed in this release.\n"
        packages[f"libs/{folder}"] = package
    root = {"pyproject.toml": ROOT, "tests/test_repo.py": TEST}
    return _tree(packages, root | {"CHANGELOG.md": _changelog("0.4.0", "0.3.0")})


@pytest.fixture
def partial(tmp_path: Path) -> ReleaseRepo:
    """Every package tagged at the previous commit, the release committed on top."""
    tags = tuple(
        f"checkpoint=={before}" if name == "acme-checkpoint" else f"{name}-v{before}"
        for _, name, before, _, _ in PACKAGES
    )
    return _released_repo(tmp_path, _files(now=False), _files(now=True), tags)


def test_only_the_changed_packages_are_released(
    partial: ReleaseRepo, run_gates: GateRunner
) -> None:
    # The gates a partial release changes (the editable, cli and tests gates see every
    # package, in the release or not, as before).
    gates = "preflight or versions or changelog or build or rehearsal"
    run = run_gates(partial.root, "-m", gates, "--release-version", "0.4.0")
    outcomes = run.outcomes()
    # The changed package still at its last tag fails the versions gate, and that alone.
    failed = {case for case, outcome in outcomes.items() if outcome == "failed"}
    # So does the preflight: its tag acme-store-v2.0.0 is on the earlier commit.
    assert failed == {
        "test_version_is_above_the_last_release[acme-store]",
        "test_release_tags_can_be_made_and_pushed",
    }
    assert (
        "acme-store changed since acme-store-v2.0.0 (1 commit, 1 file), still 2.0.0: bump it"
        in run.message("test_version_is_above_the_last_release[acme-store]")
    )
    # Each unchanged package's cases skip "not in this release", through the rehearsal.
    for name in LEFT_OUT:
        cases = {case: o for case, o in outcomes.items() if case.endswith(f"[{name}]")}
        skipped = {case for case, outcome in cases.items() if outcome == "skipped"}
        ranges = f"test_internal_ranges_admit_the_release[{name}]"
        assert set(cases) - skipped == {ranges}, cases  # ranges hold for every package
        assert cases[ranges] == "passed"
        for case in (
            f"test_version_is_above_the_last_release[{name}]",
            f"test_build_succeeds[{name}]",
            f"test_upload_to_the_rehearsal_index[{name}]",
        ):
            assert case in skipped
            assert "not in this release" in run.message(case)
            assert "unchanged since" in run.message(case)
    # The released packages went all the way: built, uploaded, installed and checked.
    for name in RELEASED:
        for case in ("test_build_succeeds", "test_installed_dist_is_the_uploaded_wheel"):
            assert outcomes[f"{case}[{name}]"] == "passed", (case, name)
    assert outcomes["test_install_from_the_rehearsal_index"] == "passed"
    skipped = {case for case, outcome in outcomes.items() if outcome == "skipped"}
    others = {case for case in skipped if not re.search(r"\[acme-(utils|log|http|legacy)\]$", case)}
    assert others - {case for case in others if "nothing to check" in run.message(case)} == {
        UNVERIFIED_OFF_GITHUB
    }


def test_plan_says_what_is_released_and_why(
    partial: ReleaseRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["plan", "--monorepo", str(partial.root), "--release-version", "0.4.0"]
    assert main(arguments) == 1  # acme-store is not bumped
    said = capsys.readouterr().out
    assert "not in this release (neither built for upload, uploaded nor tagged):" in said
    for name in LEFT_OUT:
        assert re.search(rf"^  {name}: unchanged since \S+, still \S+$", said, re.MULTILINE)
    assert "publish order: acme-core -> acme-checkpoint -> acme-cli -> acme-store" in said
    assert "tags: acme-core-v1.1.0, checkpoint==4.3.0, acme-cli-v0.4.0, acme-store-v2.0.0" in said
    assert "acme-store changed since acme-store-v2.0.0 (1 commit, 1 file), still 2.0.0" in said
