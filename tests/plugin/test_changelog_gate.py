"""Gate 2, changelog, against real git repositories: each defect of the release's section
fails exactly its case, with a message naming the file, the line and the fix; every other
case of gates 0-2 keeps its baseline outcome."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta

import pytest

from tests.plugin.baseline import CHANGELOG_CASES, EXAMPLE_PACKAGES, assert_outcomes, assert_says
from tests.plugin.defects import (
    BREAKING,
    CHANGELOG,
    CHANGELOG_COMMITTED,
    CHANGELOG_EXISTS,
    CLEAN,
    CONFIG,
    CORE,
    DATED,
    GATES,
    RELEASE_DATE,
    RELEASE_HEADING,
    SCHEDULER,
    SECTION,
    SECTION_CASES,
    SUBSECTIONS,
    commit,
    line_of,
    replace,
    rewrite_release_section,
    run_release_gates,
    set_config,
    set_version,
    skipping,
)
from tests.plugin.gate_runs import GateRunner
from tests.plugin.repos import PREVIOUS_VERSION, VERSION, ReleaseRepo

MOVED = "docs/CHANGES.md"
ALLOWED = "Breaking Changes, Added, Changed, Fixed, Deprecated, Removed, Security, Migration Notes"
# Every case that needs the file, and so is not checked without one.
NEEDS_THE_FILE = (SECTION, *SECTION_CASES, CHANGELOG_COMMITTED)


def test_the_baseline_passes(release_repo: ReleaseRepo, run_gates: GateRunner) -> None:
    """The example's heading is Keep a Changelog's, `## [0.2.0] - 2026-11-20`, below an
    [Unreleased] section, which may stay."""
    assert_outcomes(run_release_gates(run_gates, release_repo), gates=GATES)


# Where the changelog is ---------------------------------------------------------------------


def remove_changelog(repo: ReleaseRepo) -> None:
    repo.git("rm", "-q", CHANGELOG)


def configure_elsewhere(repo: ReleaseRepo) -> None:
    set_config(repo, "changelog", MOVED)


@pytest.mark.parametrize(
    ("defect", "path"),
    [
        pytest.param(remove_changelog, CHANGELOG, id="removed"),
        pytest.param(configure_elsewhere, MOVED, id="configured-elsewhere-not-moved"),
    ],
)
def test_a_missing_changelog_fails_naming_the_configured_path(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    defect: Callable[[ReleaseRepo], None],
    path: str,
) -> None:
    defect(release_repo)
    commit(release_repo, "Lose the changelog")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, skipping({CHANGELOG_EXISTS: "failed"}, *NEEDS_THE_FILE), gates=GATES)
    assert_says(
        run,
        CHANGELOG_EXISTS,
        f"there is no changelog at {release_repo.root / path}",
        f"setting `changelog` (from {release_repo.root / CONFIG})",
        f"add {path} with a section for the release, or point `changelog` in [tool.pytest-release]",
    )
    for case in NEEDS_THE_FILE:
        assert_says(run, case, "not checked: there is no changelog")


def test_a_changelog_elsewhere_is_read_there(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    configure_elsewhere(release_repo)
    (release_repo.root / "docs").mkdir()
    release_repo.git("mv", CHANGELOG, MOVED)
    commit(release_repo, f"Move the changelog to {MOVED}")

    assert_outcomes(run_release_gates(run_gates, release_repo), gates=GATES)


# The release's section ------------------------------------------------------------------------


def test_no_section_for_the_release_fails_saying_where_to_add_it(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """The entries were left under [Unreleased]."""
    replace(release_repo, CHANGELOG, RELEASE_HEADING + "\n", "")
    commit(release_repo, "Forget the release heading")
    previous = line_of(release_repo, CHANGELOG, f"## [{PREVIOUS_VERSION}]")
    unreleased = line_of(release_repo, CHANGELOG, "## [Unreleased]")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, skipping({SECTION: "failed"}, *SECTION_CASES), gates=GATES)
    assert_says(
        run,
        SECTION,
        f"{CHANGELOG}, line {previous}",
        f"the changelog has no section for {VERSION}; the newest section is for {PREVIOUS_VERSION}",
        f'add "## [{VERSION}] - {date.today().isoformat()}" above "## [{PREVIOUS_VERSION}] - '
        f'2026-10-01" (line {previous})',
        f'moving this release\'s entries out of "Unreleased" (line {unreleased})',
    )
    for case in SECTION_CASES:
        assert_says(run, case, f"not checked: {CHANGELOG} has no section for {VERSION}")


TODAY = date.today()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
IN_THREE_DAYS = (TODAY + timedelta(days=3)).isoformat()
TODAYS_HEADING = f"## [{VERSION}] - {TODAY.isoformat()}"


@pytest.mark.parametrize(
    ("heading", "what", "fix"),
    [
        pytest.param(
            f"## [{VERSION}]",
            f'the heading "## [{VERSION}]" has no release date',
            f'write the release date after the version: "{TODAYS_HEADING}"',
            id="no-date",
        ),
        pytest.param(
            f"## [{VERSION}] - {IN_THREE_DAYS}",
            f'the release date {IN_THREE_DAYS} in "## [{VERSION}] - {IN_THREE_DAYS}" is in '
            f"the future (today is {TODAY.isoformat()})",
            f'write the day of the release: "{TODAYS_HEADING}" for a release today',
            id="future-date",
        ),
        pytest.param(
            f"## [{VERSION}] - 2026-02-30",
            f'the release date "2026-02-30" in "## [{VERSION}] - 2026-02-30" is not a real date',
            f'write the date as YYYY-MM-DD (ISO 8601), e.g. "{TODAYS_HEADING}"',
            id="invalid-date",
        ),
    ],
)
def test_a_release_heading_without_a_valid_past_date_fails(
    release_repo: ReleaseRepo, run_gates: GateRunner, heading: str, what: str, fix: str
) -> None:
    line = rewrite_release_section(release_repo, heading=heading)
    commit(release_repo, "Date the release")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, {DATED: "failed"}, gates=GATES)
    assert_says(run, DATED, f"{CHANGELOG}, line {line}", what, fix)


@pytest.mark.parametrize(
    ("title", "body", "what", "fix"),
    [
        pytest.param(
            "### Features",
            "- Connectors.\n",
            f'unknown subsection "### Features" in {VERSION}',
            f'rename it to one of {ALLOWED} (probably "### Added")',
            id="unknown",
        ),
        pytest.param(
            "### Security",
            "",
            f'the subsection "### Security" of {VERSION} is empty',
            "list the changes under it, one bullet each, or delete the heading",
            id="empty",
        ),
    ],
)
def test_an_unknown_or_empty_subsection_fails(
    release_repo: ReleaseRepo, run_gates: GateRunner, title: str, body: str, what: str, fix: str
) -> None:
    rewrite_release_section(release_repo, body=f"\n### Added\n- Steps.\n\n{title}\n{body}\n")
    commit(release_repo, f"Add {title}")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, {SUBSECTIONS: "failed"}, gates=GATES)
    line = line_of(release_repo, CHANGELOG, title)
    assert_says(run, SUBSECTIONS, f"{CHANGELOG}, line {line}: {what}", fix)


# A major release --------------------------------------------------------------------------------

MAJOR = "1.0.0"
LISTED_BREAKING = "### Breaking Changes\n- `run()` takes a Flow, not a path.\n"
LISTED_MIGRATION = "### Migration Notes\n- Pass `Flow.load(path)` to `run()`.\n"


def major(what: str) -> str:
    return f"{MAJOR} is a major release (after {PREVIOUS_VERSION}), but its {what}"


@pytest.mark.parametrize(
    ("subsections", "changed", "at", "says", "other"),
    [
        pytest.param(
            LISTED_MIGRATION,
            {BREAKING: "failed"},
            f"## [{MAJOR}]",
            (
                major('section has no "### Breaking Changes" subsection'),
                f'add "### Breaking Changes" to the {MAJOR} section and list every change',
            ),
            "Migration Notes",
            id="no-breaking-changes",
        ),
        pytest.param(
            LISTED_BREAKING,
            {BREAKING: "failed"},
            f"## [{MAJOR}]",
            (
                major('section has no "### Migration Notes" subsection'),
                f'add "### Migration Notes" to the {MAJOR} section and tell users, step by '
                f"step, how to upgrade their code from {PREVIOUS_VERSION}",
            ),
            "Breaking Changes",
            id="no-migration-notes",
        ),
        pytest.param(
            "### Breaking Changes\n\n" + LISTED_MIGRATION,
            {BREAKING: "failed", SUBSECTIONS: "failed"},
            "### Breaking Changes",
            (
                major('"### Breaking Changes" subsection is empty'),
                'under "### Breaking Changes", list every change that can break',
            ),
            "Migration Notes",
            id="empty-breaking-changes",
        ),
        pytest.param(f"{LISTED_BREAKING}\n{LISTED_MIGRATION}", {}, "", (), "", id="both"),
    ],
)
def test_a_major_release_needs_breaking_changes_and_migration_notes(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    subsections: str,
    changed: Mapping[str, str],
    at: str,
    says: tuple[str, ...],
    other: str,
) -> None:
    """In lockstep, the packages' common version 1.0.0 is the release: no option needed.
    Each failure names its one problem, not the ``other`` requirement, which is met."""
    rewrite_release_section(release_repo, body=f"\n### Added\n- Flows.\n\n{subsections}\n")
    set_version(release_repo, MAJOR, internal_range=">=1.0,<2")
    commit(release_repo, f"Release {MAJOR}")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, changed, gates=GATES)
    if says:
        line = line_of(release_repo, CHANGELOG, at)
        assert_says(run, BREAKING, f"{CHANGELOG}, line {line}: ", *says)
        assert other not in run.message(BREAKING), run.message(BREAKING)


def test_a_zero_minor_release_listing_breaking_changes_needs_migration_notes(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """0.1.0 to 0.2.0 may break things; when its section says it does, it owes notes."""
    line = rewrite_release_section(release_repo, body=f"\n{LISTED_BREAKING}\n")
    commit(release_repo, "List a breaking change")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, {BREAKING: "failed"}, gates=GATES)
    assert_says(
        run,
        BREAKING,
        f"{CHANGELOG}, line {line}: ",
        f"{VERSION} is a 0.x minor release (after {PREVIOUS_VERSION}) with breaking changes, "
        'but its section has no "### Migration Notes" subsection',
        f"how to upgrade their code from {PREVIOUS_VERSION}",
    )


def test_an_uncommitted_changelog_edit_fails_and_the_tree_is_not_clean(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    rewrite_release_section(release_repo, body="\n### Added\n- Connectors.\n\n")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, {CHANGELOG_COMMITTED: "failed", CLEAN: "failed"}, gates=GATES)
    assert_says(
        run,
        CHANGELOG_COMMITTED,
        f"{CHANGELOG}: has uncommitted changes, so the released changelog would not be HEAD's",
        "commit it with the version bump and run the gates again",
    )
    assert_says(run, CLEAN, f"modified: {CHANGELOG}")


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param(f"## {VERSION} ({RELEASE_DATE})", id="date-in-parentheses"),
        pytest.param(f"## [{VERSION}] \u2013 {RELEASE_DATE}", id="en-dash"),
        pytest.param(f"# {VERSION} - {RELEASE_DATE}", id="level-one"),
        pytest.param(f"## [{VERSION}] - {TOMORROW}", id="tomorrow-within-clock-skew"),
        pytest.param(f"## Version {VERSION}/0.65b0 ({RELEASE_DATE})", id="two-versions"),
        pytest.param(f"## Release v{VERSION} \u2014 {RELEASE_DATE}", id="release-em-dash"),
    ],
)
def test_each_accepted_heading_variant_passes(
    release_repo: ReleaseRepo, run_gates: GateRunner, heading: str
) -> None:
    """Keep a Changelog's own `## [0.2.0] - DATE` is the example's: see the baseline."""
    rewrite_release_section(release_repo, heading=heading)
    commit(release_repo, "Write the release heading another way")

    assert_outcomes(run_release_gates(run_gates, release_repo), gates=GATES)


def test_a_heading_naming_the_release_that_cannot_be_read_is_said(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    heading = f"## Changes in {VERSION} ({RELEASE_DATE})"
    line = rewrite_release_section(release_repo, heading=heading)
    commit(release_repo, "Write the release heading in prose")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, skipping({SECTION: "failed"}, *SECTION_CASES), gates=GATES)
    assert_says(
        run,
        SECTION,
        f"{CHANGELOG}, line {line}: found a heading for {VERSION} it could not read: line {line}",
        f'write it as "## [{VERSION}] - {RELEASE_DATE}"',
    )


# The project's choices: its subsection titles, one changelog per package, none ---------------


def add_config(repo: ReleaseRepo, line: str) -> None:
    """Add a line to the [tool.pytest-release] table of the root pyproject.toml."""
    replace(repo, CONFIG, "[tool.pytest-release]\n", f"[tool.pytest-release]\n{line}\n")


TOWNCRIER_RST = f"""\
=========
Changelog
=========

.. towncrier release notes start

{VERSION} ({RELEASE_DATE})
{"-" * len(f"{VERSION} ({RELEASE_DATE})")}

Features
~~~~~~~~

- Connectors. (#12)

Bugfixes
~~~~~~~~

- A malformed flow file is one error line. (#14)

{PREVIOUS_VERSION} (2026-10-01)
{"-" * len(f"{PREVIOUS_VERSION} (2026-10-01)")}

Misc
~~~~

- #3
"""


def test_a_towncrier_changelog_passes_with_its_sections(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """towncrier's default reStructuredText, its default section titles named by
    `changelog-sections = "towncrier"`; a title outside them still fails."""
    release_repo.git("rm", "-q", CHANGELOG)
    release_repo.write("CHANGES.rst", TOWNCRIER_RST)
    set_config(release_repo, "changelog", "CHANGES.rst")
    add_config(release_repo, 'changelog-sections = "towncrier"')
    commit(release_repo, "Keep the changelog with towncrier")

    assert_outcomes(run_release_gates(run_gates, release_repo), gates=GATES)

    replace(release_repo, "CHANGES.rst", "Bugfixes\n~~~~~~~~", "Fixed\n~~~~~")
    commit(release_repo, "Use a title towncrier does not write")
    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, {SUBSECTIONS: "failed"}, gates=GATES)
    assert_says(
        run,
        SUBSECTIONS,
        f"CHANGES.rst, line {line_of(release_repo, 'CHANGES.rst', 'Fixed')}: unknown subsection "
        f'"Fixed" in {VERSION}',
        '(probably "Bugfixes")',
    )


def test_a_table_of_changelog_sections_names_the_breaking_title(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """A project's own titles, as attrs names them: a 0.x minor release listing breaking
    changes owes migration notes, and no title is one."""
    add_config(
        release_repo,
        'changelog-sections = { "Backwards-incompatible Changes" = "breaking", '
        'Changes = "changed", "Upgrading" = "migration" }',
    )
    body = "\n### Changes\n- Steps.\n\n### Backwards-incompatible Changes\n- `run` moved.\n\n"
    line = rewrite_release_section(release_repo, body=body)
    commit(release_repo, "Name the subsections our way")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, {BREAKING: "failed"}, gates=GATES)
    assert_says(
        run,
        BREAKING,
        f"{CHANGELOG}, line {line}: ",
        'with breaking changes, but its section has no "### Upgrading" subsection',
    )


PER_PACKAGE = "{folder}/CHANGELOG.md"


def per_package_cases(outcome: str, packages: tuple[str, ...] = EXAMPLE_PACKAGES) -> dict[str, str]:
    return {f"{case}[{package}]": outcome for case in CHANGELOG_CASES for package in packages}


@pytest.mark.parametrize("missing", [False, True], ids=["each-has-its-own", "one-missing"])
def test_one_changelog_per_package_checks_each_package_in_its_own_file(
    release_repo: ReleaseRepo, run_gates: GateRunner, missing: bool
) -> None:
    set_config(release_repo, "changelog", PER_PACKAGE)
    text = (release_repo.root / CHANGELOG).read_text(encoding="utf-8")
    for package in EXAMPLE_PACKAGES:
        if not (missing and package == SCHEDULER):
            release_repo.write(f"packages/{package}/{CHANGELOG}", text)
    commit(release_repo, "One changelog per package")
    edited = f"packages/{CORE}/{CHANGELOG}"
    if missing:  # and one edited after the commit: only its own case fails
        release_repo.write(edited, text + "\nA line added after the commit.\n")

    run = run_release_gates(run_gates, release_repo)

    expected = per_package_cases("passed")
    if missing:
        expected[f"{CHANGELOG_EXISTS}[{SCHEDULER}]"] = "failed"
        expected |= {f"{case}[{SCHEDULER}]": "skipped" for case in NEEDS_THE_FILE}
        expected |= {f"{CHANGELOG_COMMITTED}[{CORE}]": "failed", CLEAN: "failed"}
    assert_outcomes(run, gates=("preflight", "versions"), extra=expected)
    if missing:
        assert_says(
            run,
            f"{CHANGELOG_COMMITTED}[{CORE}]",
            f"{edited}: has uncommitted changes, so the released changelog would not be HEAD's",
        )
        assert_says(
            run,
            f"{CHANGELOG_EXISTS}[{SCHEDULER}]",
            f"there is no changelog at {release_repo.root / 'packages' / SCHEDULER / CHANGELOG}",
            f"add packages/{SCHEDULER}/{CHANGELOG} with a section for the release",
        )


def test_changelog_false_leaves_nothing_to_check(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    replace(release_repo, CONFIG, 'changelog = "CHANGELOG.md"', "changelog = false")
    release_repo.git("rm", "-q", CHANGELOG)
    commit(release_repo, "Publish the release notes as GitHub releases")

    run = run_release_gates(run_gates, release_repo)

    assert_outcomes(run, dict.fromkeys(CHANGELOG_CASES, "skipped"), gates=GATES)
    reason = (
        f"nothing to check: setting `changelog` (from {release_repo.root / CONFIG}) is false: "
        "the release notes are kept elsewhere"
    )
    for case in CHANGELOG_CASES:
        assert_says(run, case, reason)
    assert f"skipped: {len(CHANGELOG_CASES)} cases: {reason}" in run.output, run.output
