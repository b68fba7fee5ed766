"""Defects the preflight, versions and changelog tests apply to a release repo: one small
helper per kind of edit, the case names of gates 0-2 they assert on, and the runs of those
gates."""

from __future__ import annotations

import re
from pathlib import Path

from tests.plugin.baseline import EXAMPLE_PACKAGES
from tests.plugin.gate_runs import GateRun, GateRunner
from tests.plugin.repos import VERSION, ReleaseRepo

GATES = ("preflight", "versions", "changelog")
SELECT_GATES = ("-m", " or ".join(GATES))
# Gate 0 alone, so that its outcomes stay the whole story as later gates land: run it with
# `run_preflight`, compare with `assert_outcomes(..., gates=PREFLIGHT_ONLY)`.
PREFLIGHT = ("-m", "preflight")
PREFLIGHT_ONLY = ("preflight",)

CORE, SCHEDULER, META = EXAMPLE_PACKAGES
CONFIG = "pyproject.toml"  # the target's root pyproject.toml, holding [tool.pytest-release]
CHANGELOG = "CHANGELOG.md"
RELEASE_DATE = "2026-11-20"  # the example's date for VERSION's changelog section
RELEASE_HEADING = f"## [{VERSION}] - {RELEASE_DATE}"
INTERNAL_RANGE = ">=0.2,<0.3"  # how the example's packages require each other at VERSION

CLEAN = "test_working_tree_is_clean"
CI = "test_ci_is_green_for_head"
TAGS = "test_release_tags_can_be_made_and_pushed"
AGREE = "test_packages_agree_on_the_release_version"
CHANGELOG_EXISTS = "test_changelog_exists"
SECTION = "test_changelog_has_a_section_for_the_release"
DATED = "test_release_section_is_dated"
SUBSECTIONS = "test_release_section_has_known_non_empty_subsections"
BREAKING = "test_breaking_release_has_migration_notes"
CHANGELOG_COMMITTED = "test_changelog_is_committed"
# The changelog cases that read the release's section: skipped when there is none.
SECTION_CASES = (DATED, SUBSECTIONS, BREAKING)


def skipping(outcomes: dict[str, str], *cases: str) -> dict[str, str]:
    """``outcomes``, and the cases that are not checked when those fail."""
    return outcomes | dict.fromkeys(cases, "skipped")


def strict(package: str) -> str:
    return f"test_version_is_strict_semver[{package}]"


def above(package: str) -> str:
    return f"test_version_is_above_the_last_release[{package}]"


def committed(package: str) -> str:
    return f"test_version_bump_is_committed[{package}]"


def ranges(package: str) -> str:
    return f"test_internal_ranges_admit_the_release[{package}]"


def pyproject(package: str) -> str:
    return f"packages/{package}/pyproject.toml"


def run_release_gates(run_gates: GateRunner, repo: ReleaseRepo, *args: str) -> GateRun:
    """Gates 0-2 only, so that gates added later leave these outcomes alone."""
    return run_gates(repo.root, *SELECT_GATES, *args)


def run_preflight(run_gates: GateRunner, root: Path, *args: str) -> GateRun:
    """Gate 0 only, on the target at ``root``."""
    return run_gates(root, *PREFLIGHT, *args)


def commit(repo: ReleaseRepo, message: str) -> None:
    """Commit every change and push it, so that preflight keeps its outcome."""
    repo.commit_all(message)
    repo.push()


def replace(repo: ReleaseRepo, relative: str, old: str, new: str) -> None:
    """Replace every ``old`` in a file of the repo; ``old`` must be there."""
    path = repo.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def set_config(repo: ReleaseRepo, key: str, value: str) -> None:
    """Set a string key of [tool.pytest-release] that the root pyproject.toml already has."""
    path = repo.root / CONFIG
    text = path.read_text(encoding="utf-8")
    edited = re.sub(rf"(?m)^{re.escape(key)} = .*$", f'{key} = "{value}"', text)
    assert edited != text, f"no {key} = ... line in {CONFIG}"
    path.write_text(edited, encoding="utf-8")


def line_of(repo: ReleaseRepo, relative: str, text: str) -> int:
    """The first line of a file that holds ``text`` (1-based)."""
    lines = (repo.root / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def set_version(repo: ReleaseRepo, version: str, *, internal_range: str) -> None:
    """Release ``version`` in lockstep: every package, its ``__version__``, the ranges the
    packages require each other with, and the heading of the changelog section."""
    for package in EXAMPLE_PACKAGES:
        path = repo.root / pyproject(package)
        text = path.read_text(encoding="utf-8")
        assert f'version = "{VERSION}"' in text, f"no version {VERSION} in {path}"
        text = text.replace(f'version = "{VERSION}"', f'version = "{version}"')
        path.write_text(text.replace(INTERNAL_RANGE, internal_range), encoding="utf-8")
    for init in (repo.root / "packages").rglob("__init__.py"):
        text = init.read_text(encoding="utf-8")
        init.write_text(text.replace(f'"{VERSION}"', f'"{version}"'), encoding="utf-8")
    rewrite_release_section(repo, heading=f"## [{version}] - {RELEASE_DATE}")


# The newest release section: its heading and every line up to the next level 1 or 2 heading.
_NEWEST_SECTION = re.compile(r"^## \[\d[^\n]*\n(?:(?!#{1,2} )[^\n]*\n)*", re.MULTILINE)


def rewrite_release_section(
    repo: ReleaseRepo, *, heading: str | None = None, body: str | None = None
) -> int:
    """Give the newest release section of CHANGELOG.md a new heading and/or body (the lines
    below the heading, blank lines included); the heading's line number is returned."""
    path = repo.root / CHANGELOG
    text = path.read_text(encoding="utf-8")
    section = _NEWEST_SECTION.search(text)
    assert section is not None, f"no release section in {CHANGELOG}"
    old_heading, _, old_body = section[0].partition("\n")
    new = f"{heading or old_heading}\n{old_body if body is None else body}"
    path.write_text(text[: section.start()] + new + text[section.end() :], encoding="utf-8")
    return text.count("\n", 0, section.start()) + 1
