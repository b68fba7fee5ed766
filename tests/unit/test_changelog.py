"""Changelog parsing (headings, Unreleased, fenced code) and the changelog gate's rules."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date

import pytest
from packaging.version import Version

from pytest_release.checks.changelog import (
    KEEP_A_CHANGELOG,
    Changelog,
    Markup,
    Section,
    Subsection,
    breaking_problems,
    changelog_file,
    date_problems,
    markup_of,
    parse_changelog,
    section_problems,
    subsection_problems,
)
from pytest_release.problems import Problem
from pytest_release.settings import CHANGELOG_SECTIONS, ChangelogSections

PATH = "docs/CHANGES.md"
TODAY = date(2026, 11, 25)


def parse(text: str) -> Changelog:
    return parse_changelog(textwrap.dedent(text).lstrip("\n"))


def release(heading: str = "## [1.4.0] - 2026-11-24", body: str = "### Added\n- x\n") -> Section:
    """The only release section of a changelog whose heading is on line 3."""
    changelog = parse_changelog(f"# Changelog\n\n{heading}\n{body}")
    assert len(changelog.sections) == 1
    return changelog.sections[0]


@dataclass(frozen=True)
class Expected:
    """A problem expected at ``line`` whose what and fix contain the given words."""

    line: int
    what: tuple[str, ...]
    fix: tuple[str, ...] = ()


def assert_problems(problems: list[Problem], expected: list[Expected]) -> None:
    assert len(problems) == len(expected), problems
    for problem, wanted in zip(problems, expected, strict=True):
        assert problem.where == f"{PATH}, line {wanted.line}"
        for word in wanted.what:
            assert word in problem.what
        for word in wanted.fix:
            assert word in problem.fix


# --- parsing: release headings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "version_text", "date_text"),
    [
        pytest.param("## [1.4.0] - 2026-11-24", "1.4.0", "2026-11-24", id="keep-a-changelog"),
        pytest.param("## 1.4.0 (2026-11-24)", "1.4.0", "2026-11-24", id="parenthesized-date"),
        pytest.param("## [1.4.0] \u2013 2026-11-24", "1.4.0", "2026-11-24", id="en-dash"),
        pytest.param("## [1.4.0] \u2014 2026-11-24", "1.4.0", "2026-11-24", id="em-dash"),
        pytest.param("# 1.4.0 - 2026-11-24", "1.4.0", "2026-11-24", id="level-1"),
        pytest.param("## v1.4.0 - 2026-11-24", "1.4.0", "2026-11-24", id="v-prefix"),
        pytest.param("## [v1.4.0] - 2026-11-24", "1.4.0", "2026-11-24", id="bracketed-v-prefix"),
        pytest.param(
            "## [1.4.0](https://example.org/compare/v1.3.0...v1.4.0) - 2026-11-24",
            "1.4.0",
            "2026-11-24",
            id="compare-link",
        ),
        pytest.param("## [1.4.0][] - 2026-11-24", "1.4.0", "2026-11-24", id="reference-link"),
        pytest.param("## [1.4.0] - 2026-11-24 [YANKED]", "1.4.0", "2026-11-24", id="yanked"),
        pytest.param("## 1.4.0 - 2026-11-24 - Falcon", "1.4.0", "2026-11-24", id="date-then-name"),
        pytest.param("## 1.4.0 (2026-11-24) Falcon", "1.4.0", "2026-11-24", id="parens-then-name"),
        pytest.param("## 1.4.0 - 2026-11-24 ##", "1.4.0", "2026-11-24", id="closing-hashes"),
        pytest.param("## [1.4.0]", "1.4.0", None, id="bracketed-no-date"),
        pytest.param("## 1.4.0", "1.4.0", None, id="bare-no-date"),
        pytest.param("## 1.4.0 - Codename Falcon", "1.4.0", None, id="no-digit-no-date"),
        pytest.param("## [1.4.0] - 2026-13-45", "1.4.0", "2026-13-45", id="invalid-iso-date"),
        pytest.param("## 1.4.0 (24/11/2026)", "1.4.0", "24/11/2026", id="day-first-date"),
        pytest.param("## 1.4.0 - 2026/11/24", "1.4.0", "2026/11/24", id="slashed-date"),
        pytest.param("## 1.4.0 - 26-11-24", "1.4.0", "26-11-24", id="two-digit-year"),
        pytest.param("## [1.4.0rc1] - 2026-11-24", "1.4.0rc1", "2026-11-24", id="pre-release"),
        pytest.param("## 2.0.0b2 (2026-11-24)", "2.0.0b2", "2026-11-24", id="bare-pre-release"),
    ],
)
def test_release_heading_variants(heading: str, version_text: str, date_text: str | None) -> None:
    section = release(heading)
    assert section.heading == heading
    assert section.line == 3
    assert section.version_text == version_text
    assert section.date_text == date_text
    assert section.versions == (Version(version_text),)


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param("# Changelog", id="title"),
        pytest.param("## Notes", id="no-version"),
        pytest.param("### 1.4.0 - 2026-11-24", id="level-3"),
        pytest.param("    ## 1.4.0 - 2026-11-24", id="indented-code"),
        pytest.param("##1.4.0 - 2026-11-24", id="no-space-after-hashes"),
        pytest.param("1.4.0 - 2026-11-24", id="plain-text"),
    ],
)
def test_headings_that_are_not_release_sections(heading: str) -> None:
    changelog = parse_changelog(f"{heading}\n### Added\n- x\n")
    assert changelog.sections == ()
    assert changelog.unreleased_line is None


def test_version_is_none_when_not_pep_440() -> None:
    section = release("## 2.x - 2026-11-24")
    assert section.version_text == "2.x"
    assert section.versions == ()


# --- parsing: Unreleased, fenced code, structure ----------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        pytest.param("## [Unreleased]", id="bracketed"),
        pytest.param("## Unreleased", id="bare"),
        pytest.param("## [unreleased]", id="lower-case"),
        pytest.param("# UNRELEASED", id="level-1-upper-case"),
        pytest.param("## [Unreleased](https://example.org/compare/v1.3.0...HEAD)", id="link"),
    ],
)
def test_unreleased_section_is_recorded_and_excluded(heading: str) -> None:
    changelog = parse_changelog(
        f"# Changelog\n\n{heading}\n### Added\n- coming soon\n\n"
        "## [1.3.0] - 2026-10-01\n### Fixed\n- a bug\n"
    )
    assert changelog.unreleased_line == 3
    assert [section.version_text for section in changelog.sections] == ["1.3.0"]
    assert changelog.sections[0].subsections == (Subsection("Fixed", 8, ("- a bug",)),)


@pytest.mark.parametrize(
    ("opening", "inner", "closing"),
    [
        pytest.param("```", "```python", "```", id="backticks"),
        pytest.param("```markdown", "~~~", "```", id="backticks-info-string"),
        pytest.param("~~~", "```", "~~~", id="tildes"),
        pytest.param("````", "```", "````", id="four-backticks"),
        pytest.param("```", "``", "`````", id="longer-closing-fence"),
    ],
)
def test_lines_in_fenced_code_are_never_headings(opening: str, inner: str, closing: str) -> None:
    changelog = parse(
        f"""
        ## [1.4.0] - 2026-11-24
        ### Added
        - a template:
          {opening}
        ## [1.3.0] - 2026-10-01
        ### Removed
        {inner}
        # [Unreleased]
          {closing}
        ### Fixed
        - a bug
        """
    )
    assert [section.version_text for section in changelog.sections] == ["1.4.0"]
    assert changelog.unreleased_line is None
    added, fixed = changelog.sections[0].subsections
    assert (added.title, added.line, len(added.body)) == ("Added", 2, 7)
    assert added.body[2] == "## [1.3.0] - 2026-10-01"
    assert (fixed.title, fixed.line, fixed.body) == ("Fixed", 10, ("- a bug",))


def test_sections_in_file_order_with_their_text_and_subsections() -> None:
    changelog = parse(
        """
        # Changelog

        ## [Unreleased]

        ## [1.4.0] - 2026-11-24

        A release about speed.

        ### Added

        - faster parsing
        #### In aetherflow-core
        - a cache

        ### Fixed
        - a crash
        <!-- one more to come -->

        ## 1.3.0 (2026-10-01)
        ### Changed
        - the default

        # 1.2.0 - 2026-09-01
        Initial release.

        [1.4.0]: https://example.org/compare/v1.3.0...v1.4.0
        """
    )
    assert changelog.unreleased_line == 3
    assert [(s.version_text, s.line) for s in changelog.sections] == [
        ("1.4.0", 5),
        ("1.3.0", 19),
        ("1.2.0", 23),
    ]
    newest, middle, oldest = changelog.sections
    assert newest.text_lines == ("A release about speed.",)
    assert newest.subsections == (
        Subsection("Added", 9, ("- faster parsing", "#### In aetherflow-core", "- a cache")),
        Subsection("Fixed", 15, ("- a crash",)),
    )
    assert middle.subsections == (Subsection("Changed", 20, ("- the default",)),)
    assert (middle.text_lines, oldest.subsections) == ((), ())
    assert oldest.text_lines == ("Initial release.",)


def test_first_unreleased_heading_counts() -> None:
    changelog = parse_changelog("## Unreleased\n- x\n## [Unreleased]\n## [1.3.0] - 2026-10-01\n")
    assert changelog.unreleased_line == 1
    assert [section.line for section in changelog.sections] == [4]


def test_empty_text_has_no_sections() -> None:
    assert parse_changelog("") == Changelog(sections=(), unreleased_line=None)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        pytest.param("1.4", "1.4.0", id="short-equals-long"),
        pytest.param("1.4.0", "1.4.0", id="exact"),
        pytest.param("1.4.0.0", "1.4.0", id="padded"),
        pytest.param("1.3", "1.3", id="section-written-short"),
        pytest.param("1.4.0rc1", "1.4.0rc1", id="pre-release"),
        pytest.param("1.4.1", None, id="absent"),
    ],
)
def test_section_for_compares_versions(query: str, found: str | None) -> None:
    changelog = parse_changelog(
        "## [1.4.0] - 2026-11-24\n## [1.4.0rc1] - 2026-11-20\n## 2.x\n## [1.3] - 2026-10-01\n"
    )
    section = changelog.section_for(Version(query))
    assert (None if section is None else section.version_text) == found


# --- section_problems -------------------------------------------------------------------------

OLDER = "## [1.3.0] - 2026-10-01\n### Fixed\n- a bug\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"## [1.4.0] - 2026-11-24\n- x\n{OLDER}", [], id="present"),
        pytest.param(f"## [1.4] - 2026-11-24\n- x\n{OLDER}", [], id="present-written-short"),
        pytest.param(
            f"# Changelog\n\n## [Unreleased]\n### Added\n- x\n\n{OLDER}## [1.2.0] - 2026-09-01\n",
            [
                Expected(
                    7,
                    ("no section for 1.4.0", "newest section is for 1.3.0"),
                    (
                        'add "## [1.4.0] - 2026-11-25" above "## [1.3.0] - 2026-10-01" (line 7)',
                        '"Unreleased" (line 3)',
                    ),
                )
            ],
            id="missing-below-unreleased",
        ),
        pytest.param(
            f"# Changelog\n\n{OLDER}",
            [Expected(3, ("no section for 1.4.0",), ('above "## [1.3.0] - 2026-10-01" (line 3)',))],
            id="missing-above-previous",
        ),
        pytest.param(
            "# Changelog\n\n# 1.3.0 - 2026-10-01\n- x\n",
            [Expected(3, ("no section for 1.4.0",), ('add "# [1.4.0] - 2026-11-25" above',))],
            id="missing-level-1-style",
        ),
        pytest.param(
            "# Changelog\n\n## [Unreleased]\n",
            [Expected(3, ("no section for 1.4.0",), ('below the "Unreleased" heading (line 3)',))],
            id="missing-only-unreleased",
        ),
        pytest.param(
            "# Changelog\n",
            [Expected(1, ("no section for 1.4.0",), ('add "## [1.4.0] - 2026-11-25" at the top',))],
            id="missing-empty-changelog",
        ),
        pytest.param(
            "## [2.0.0] - 2026-11-01\n- x\n",
            [Expected(1, ("no section for 1.4.0",), ("after the 2.0.0 section",))],
            id="missing-only-newer",
        ),
        pytest.param(
            f"## [1.4.0] - 2026-11-24\n- x\n{OLDER}## 1.4.0 - 2026-11-20\n- y\n",
            [Expected(6, ("a second section for 1.4.0", "line 1"), ("merge", "line 1"))],
            id="duplicate",
        ),
    ],
)
def test_section_problems(text: str, expected: list[Expected]) -> None:
    changelog = parse_changelog(text)
    problems = section_problems(changelog, PATH, Version("1.4.0"), today=TODAY)
    assert_problems(problems, expected)


# --- date_problems ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        pytest.param("## [1.4.0] - 2026-11-24", [], id="yesterday"),
        pytest.param("## [1.4.0] - 2026-11-25", [], id="today"),
        pytest.param("## [1.4.0] - 2026-11-26", [], id="tomorrow-clock-skew"),
        pytest.param("## [1.4.0] - 2024-02-29", [], id="leap-day"),
        pytest.param(
            "## [1.4.0]",
            [Expected(3, ('"## [1.4.0]" has no release date',), ('"## [1.4.0] - 2026-11-25"',))],
            id="no-date",
        ),
        pytest.param(
            "## [1.4.0] - 2026-02-30",
            [Expected(3, ('"2026-02-30"', "is not a real date"), ("YYYY-MM-DD",))],
            id="february-30",
        ),
        pytest.param(
            "## [1.4.0] - 2026-13-45",
            [Expected(3, ('"2026-13-45"', "is not a real date"), ('"## [1.4.0] - 2026-11-25"',))],
            id="month-13",
        ),
        pytest.param(
            "## 1.4.0 - 26-11-24",
            [Expected(3, ('"26-11-24"', "is not written as YYYY-MM-DD"), ("ISO 8601",))],
            id="two-digit-year",
        ),
        pytest.param(
            "## 1.4.0 - 2026/11/24",
            [
                Expected(
                    3, ('"2026/11/24"', "not written as YYYY-MM-DD"), ('"## 1.4.0 - 2026-11-25"',)
                )
            ],
            id="slashes",
        ),
        pytest.param(
            "## 1.4.0 (24/11/2026)",
            [Expected(3, ('"24/11/2026"',), ('"## 1.4.0 (2026-11-25)"',))],
            id="day-first-keeps-heading-style",
        ),
        pytest.param(
            "## [1.4.0] - 2026-11-27",
            [Expected(3, ("2026-11-27", "in the future", "today is 2026-11-25"), ("2026-11-25",))],
            id="two-days-ahead",
        ),
        pytest.param(
            "## [1.4.0] - 2027-01-01",
            [Expected(3, ("in the future",), ('"## [1.4.0] - 2026-11-25"',))],
            id="next-year",
        ),
    ],
)
def test_date_problems(heading: str, expected: list[Expected]) -> None:
    assert_problems(date_problems(release(heading), PATH, today=TODAY), expected)


# --- subsection_problems ----------------------------------------------------------------------

SUBSECTIONS = [title for title, _ in KEEP_A_CHANGELOG]
ALL_TITLES = "".join(f"### {title}\n- x\n" for title in SUBSECTIONS)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(ALL_TITLES, [], id="every-allowed-title"),
        pytest.param("### added\n- x\n### BREAKING CHANGES\n- y\n", [], id="any-case"),
        pytest.param("### Added ###\n- x\n", [], id="closing-hashes"),
        pytest.param("Only prose.\n", [], id="prose-only"),
        pytest.param("### Added\n#### core\n", [], id="level-4-heading-is-body"),
        pytest.param(
            "### Features\n- x\n",
            [
                Expected(
                    4,
                    ('unknown subsection "### Features" in 1.4.0',),
                    (", ".join(SUBSECTIONS), 'probably "### Added"'),
                )
            ],
            id="unknown-alias",
        ),
        pytest.param(
            "### Fixd\n- x\n",
            [Expected(4, ('"### Fixd"',), ('probably "### Fixed"',))],
            id="unknown-typo",
        ),
        pytest.param(
            "### Added\n- x\n\n### Fixed\n\n### Changed\n- y\n",
            [Expected(7, ('"### Fixed" of 1.4.0 is empty',), ("list the changes", "delete"))],
            id="empty-subsection",
        ),
        pytest.param(
            "### Added\n- x\n### Security\n<!-- nothing yet -->\n",
            [Expected(6, ('"### Security" of 1.4.0 is empty',))],
            id="comment-only-subsection",
        ),
        pytest.param(
            "### Added\n- x\n### added\n- y\n",
            [Expected(6, ('a second "### added"', "line 4"), ("merge",))],
            id="repeated-subsection",
        ),
        pytest.param(
            "\n\n",
            [Expected(3, ('"## [1.4.0] - 2026-11-24" is empty',), ("Added", "Fixed"))],
            id="empty-section",
        ),
        pytest.param(
            "\n[1.4.0]: https://example.org/compare/v1.3.0...v1.4.0\n",
            [Expected(3, ("is empty",))],
            id="link-reference-is-not-content",
        ),
        pytest.param(
            "### Thanks\n",
            [Expected(4, ('"### Thanks"',), ("rename",)), Expected(4, ("is empty",))],
            id="unknown-and-empty",
        ),
    ],
)
def test_subsection_problems(body: str, expected: list[Expected]) -> None:
    assert_problems(subsection_problems(release(body=body), PATH), expected)


def test_unknown_title_without_a_likely_one_suggests_nothing() -> None:
    (problem,) = subsection_problems(release(body="### Thanks\n- to all\n"), PATH)
    assert "probably" not in problem.fix


# --- breaking_problems ------------------------------------------------------------------------

BREAKS = "### Breaking Changes\n- removed old API\n"
MIGRATES = "### Migration Notes\n- call new_api() instead\n"


@pytest.mark.parametrize(
    ("previous", "version", "body", "expected"),
    [
        pytest.param(
            "1.3.0",
            "2.0.0",
            "### Added\n- x\n",
            [
                Expected(3, ("major release", '"### Breaking Changes"'), ("list every change",)),
                Expected(3, ("major release", '"### Migration Notes"'), ("upgrade", "1.3.0")),
            ],
            id="major-without-either",
        ),
        pytest.param(
            "1.3.0",
            "2.0.0",
            MIGRATES,
            [Expected(3, ('no "### Breaking Changes"',), ('add "### Breaking Changes"',))],
            id="major-without-breaking-changes",
        ),
        pytest.param(
            "1.3.0",
            "2.0.0",
            BREAKS,
            [Expected(3, ('no "### Migration Notes"',), ('add "### Migration Notes"',))],
            id="major-without-migration-notes",
        ),
        pytest.param("1.3.0", "2.0.0", BREAKS + MIGRATES, [], id="major-with-both"),
        pytest.param("0.9.0", "1.0.0", BREAKS + MIGRATES, [], id="first-major-with-both"),
        pytest.param(
            "0.9.0",
            "1.0.0",
            BREAKS,
            [Expected(3, ("1.0.0 is a major release (after 0.9.0)", "Migration Notes"))],
            id="first-major-without-migration-notes",
        ),
        pytest.param(
            "1.3.0",
            "2.0.0",
            "### Breaking Changes\n\n" + MIGRATES,
            [Expected(4, ('"### Breaking Changes" subsection is empty',), ("list every change",))],
            id="major-with-empty-breaking-changes",
        ),
        pytest.param(
            "1.3.0",
            "2.0.0",
            "### breaking changes\n- x\n### MIGRATION NOTES\n- y\n",
            [],
            id="major-titles-any-case",
        ),
        pytest.param(
            "0.3.0",
            "0.4.0",
            BREAKS,
            [Expected(3, ("0.x minor release", '"### Migration Notes"'), ("upgrade", "0.3.0"))],
            id="zero-minor-breaking-without-migration-notes",
        ),
        pytest.param(
            "0.3.0",
            "0.4.0",
            "### Breaking changes\n- x\n",
            [Expected(3, ("0.x minor release",))],
            id="zero-minor-breaking-title-any-case",
        ),
        pytest.param("0.3.0", "0.4.0", BREAKS + MIGRATES, [], id="zero-minor-with-both"),
        pytest.param("0.3.0", "0.4.0", "### Added\n- x\n", [], id="zero-minor-without-breaking"),
        pytest.param("0.3.0", "0.3.1", BREAKS, [], id="zero-patch-with-breaking"),
        pytest.param("1.3.0", "1.4.0", "### Added\n- x\n", [], id="minor"),
        pytest.param(None, "1.0.0", "### Added\n- x\n", [], id="first-release"),
        pytest.param(None, "0.4.0", BREAKS, [], id="first-release-zero"),
    ],
)
def test_breaking_problems(
    previous: str | None, version: str, body: str, expected: list[Expected]
) -> None:
    section = release(f"## [{version}] - 2026-11-24", body)
    before = None if previous is None else Version(previous)
    assert_problems(breaking_problems(section, PATH, Version(version), before), expected)


def test_a_calendar_version_owes_breaking_notes_for_the_apis_breaks_only() -> None:
    """26.1.0 after 25.4.0 is a new year, not a major release."""
    section = release("## [26.1.0] - 2026-01-05", "### Added\n- x\n")
    said = breaking_problems(section, PATH, Version("26.1.0"), Version("25.4.0"))
    calendar = breaking_problems(
        section, PATH, Version("26.1.0"), Version("25.4.0"), sized_by_version=False
    )
    broken = breaking_problems(
        section, PATH, Version("26.1.0"), Version("25.4.0"), [API_BREAK], sized_by_version=False
    )

    assert said[0].what.startswith("26.1.0 is a major release")
    assert calendar == []
    assert len(broken) == 2
    assert "breaks the public API" in broken[0].what


API_BREAK = ("register_step", "parameter `func` was removed (or renamed)")
CLASS_BREAK = ("Flow.run", "new required parameter `strict`")
NAMED = "### Breaking Changes\n- `register_step` takes the step first; `Flow.run()` is strict.\n"


@pytest.mark.parametrize(
    ("previous", "version", "body", "breaks", "expected"),
    [
        pytest.param(
            "0.3.0",
            "0.4.0",
            "### Added\n- x\n",
            [API_BREAK],
            [
                Expected(
                    3,
                    ("0.4.0 breaks the public API (1 change(s) since 0.3.0", "Breaking Changes"),
                    ("- `register_step`: parameter `func` was removed (or renamed)",),
                ),
                Expected(3, ('no "### Migration Notes"',), ("upgrade", "0.3.0")),
            ],
            id="zero-minor-without-either",
        ),
        pytest.param(
            "0.3.0", "0.4.0", NAMED + MIGRATES, [API_BREAK, CLASS_BREAK], [], id="both-named"
        ),
        pytest.param(
            "1.3.0",
            "2.0.0",
            BREAKS + MIGRATES,
            [API_BREAK, CLASS_BREAK],
            [
                Expected(
                    4,
                    ("does not name register_step, Flow.run, which the api gate found broken",),
                    ("- `register_step`: parameter", "- `Flow.run`: new required parameter"),
                )
            ],
            id="major-not-naming-them",
        ),
        pytest.param(
            "1.3.0",
            "2.0.0",
            "### Breaking Changes\n- `api.register_step_v2` and `FlowRunner`\n" + MIGRATES,
            [API_BREAK, ("Flow", "removed")],
            [Expected(4, ("does not name register_step, Flow,",))],
            id="whole-names-only",
        ),
        pytest.param(
            "1.3.0",
            "2.0.0",
            "### Breaking Changes\n- `aetherflow.core.api.register_step` changed\n" + MIGRATES,
            [API_BREAK],
            [],
            id="qualified-name",
        ),
        pytest.param(
            "1.3.0",
            "1.3.1",
            NAMED,
            [API_BREAK],
            [Expected(3, ("1.3.1 breaks the public API", '"### Migration Notes"'))],
            id="patch-owes-them-too",
        ),
        pytest.param(None, "1.0.0", "### Added\n- x\n", [API_BREAK], [], id="first-release"),
    ],
)
def test_breaking_problems_of_the_public_api(
    previous: str | None,
    version: str,
    body: str,
    breaks: list[tuple[str, str]],
    expected: list[Expected],
) -> None:
    """The api gate's breaks need both subsections, whatever the bump, each one named."""
    section = release(f"## [{version}] - 2026-11-24", body)
    before = None if previous is None else Version(previous)
    assert_problems(breaking_problems(section, PATH, Version(version), before, breaks), expected)


# --- forms: prose, several versions, reStructuredText, unreadable headings --------------------


@pytest.mark.parametrize(
    ("heading", "version_text", "versions", "date_text"),
    [
        pytest.param(
            "## Version 1.44.0 (2026-07-16)", "1.44.0", ("1.44.0",), "2026-07-16", id="version"
        ),
        pytest.param("## Release 1.44.0", "1.44.0", ("1.44.0",), None, id="release"),
        pytest.param(
            "## release: v1.44.0 - 2026-07-16",
            "1.44.0",
            ("1.44.0",),
            "2026-07-16",
            id="release-colon",
        ),
        pytest.param(
            "## 1.44.0 \u2014 2026-07-16", "1.44.0", ("1.44.0",), "2026-07-16", id="em-dash"
        ),
        pytest.param("## v1.44.0 (2026-07-16)", "1.44.0", ("1.44.0",), "2026-07-16", id="v-parens"),
        pytest.param(
            "## 1.44.0 / 2026-07-16", "1.44.0", ("1.44.0",), "2026-07-16", id="slash-date"
        ),
        pytest.param(
            "## Version 1.44.0/0.65b0 (2026-07-16)",
            "1.44.0/0.65b0",
            ("1.44.0", "0.65b0"),
            "2026-07-16",
            id="two-versions",
        ),
        pytest.param(
            "## [1.44.0 / 0.65b0] - 2026-07-16",
            "1.44.0 / 0.65b0",
            ("1.44.0", "0.65b0"),
            "2026-07-16",
            id="two-versions-bracketed",
        ),
    ],
)
def test_prose_and_several_version_headings(
    heading: str, version_text: str, versions: tuple[str, ...], date_text: str | None
) -> None:
    section = release(heading)
    assert (section.version_text, section.date_text) == (version_text, date_text)
    assert section.versions == tuple(Version(v) for v in versions)


@pytest.mark.parametrize(
    "heading", ["## Version history", "## Released versions", "## Releases", "## Versioning"]
)
def test_prose_headings_without_a_version_are_not_releases(heading: str) -> None:
    assert parse_changelog(f"{heading}\n- x\n").sections == ()


TWO_LINES = (
    "## Version 1.44.0/0.65b0 (2026-07-16)\n- x\n## Version 1.43.0/0.64b0 (2026-06-01)\n- y\n"
)


@pytest.mark.parametrize(
    ("query", "line"),
    [
        pytest.param("1.44.0", 1, id="first-version"),
        pytest.param("0.65b0", 1, id="second-version"),
        pytest.param("0.64b0", 3, id="older-second-version"),
        pytest.param("0.66b0", None, id="absent"),
    ],
)
def test_a_heading_of_several_versions_is_each_ones_section(query: str, line: int | None) -> None:
    section = parse_changelog(TWO_LINES).section_for(Version(query))
    assert (None if section is None else section.line) == line


@pytest.mark.parametrize(
    ("version", "line"),
    [
        pytest.param("1.45.0", 1, id="above-the-newest"),
        pytest.param("0.66b0", 1, id="second-line-above-the-newest"),
        pytest.param("0.64b1", 3, id="second-line-between"),
    ],
)
def test_a_missing_release_goes_above_the_older_one_of_its_own_line(
    version: str, line: int
) -> None:
    problems = section_problems(parse_changelog(TWO_LINES), PATH, Version(version), today=TODAY)
    assert_problems(problems, [Expected(line, (f"no section for {version}",), ("above",))])


CHANGES_RST = """\
=========
Changelog
=========

Unreleased
----------
1.44.0 (2026-07-16)
-------------------

Features
~~~~~~~~

- Connectors.

Bugfixes
~~~~~~~~
- A fix.

  A literal block::

    not a title
    -----------

1.43.0 (2026-06-01)
-------------------

Misc
~~~~

- stuff
"""


def test_rst_titles_by_the_order_their_adornments_appear() -> None:
    changelog = parse_changelog(CHANGES_RST, Markup.RST)
    assert [(s.line, s.heading, s.version_text, s.date_text) for s in changelog.sections] == [
        (7, "1.44.0 (2026-07-16)", "1.44.0", "2026-07-16"),
        (24, "1.43.0 (2026-06-01)", "1.43.0", "2026-06-01"),
    ]
    newest = changelog.sections[0]
    assert [(sub.title, sub.line, sub.body) for sub in newest.subsections] == [
        ("Features", 10, ("- Connectors.",)),
        ("Bugfixes", 15, ("- A fix.", "  A literal block::", "    not a title", "    -----------")),
    ]
    assert (changelog.unreleased_line, changelog.heading_lines) == (5, (2, 5, 7, 24))


def test_rst_problems_are_written_in_rst() -> None:
    changelog = parse_changelog(CHANGES_RST, Markup.RST)
    missing = section_problems(changelog, "CHANGES.rst", Version("1.45.0"), today=TODAY)
    assert missing[0].fix.startswith('add "1.45.0 (2026-11-25)", underlined with ----')
    unknown = subsection_problems(changelog.sections[0], "CHANGES.rst")
    assert [problem.what for problem in unknown] == [
        'unknown subsection "Features" in 1.44.0',
        'unknown subsection "Bugfixes" in 1.44.0',
    ]
    assert 'probably "Added"' in unknown[0].fix


@pytest.mark.parametrize(
    ("path", "markup"),
    [
        pytest.param("CHANGES.rst", Markup.RST, id="rst"),
        pytest.param("docs/changelog.RST", Markup.RST, id="rst-upper"),
        pytest.param("CHANGELOG.md", Markup.MARKDOWN, id="markdown"),
        pytest.param("NEWS", Markup.MARKDOWN, id="no-suffix"),
    ],
)
def test_markup_by_the_file_suffix(path: str, markup: Markup) -> None:
    assert markup_of(path) is markup


@pytest.mark.parametrize(
    ("text", "line", "heading"),
    [
        pytest.param(
            "# Changelog\n\n## Changes in 1.4.0 (2026-11-20)\n- x\n" + OLDER,
            3,
            '"## [1.4.0] - 2026-11-20"',
            id="prose-before-the-version",
        ),
        pytest.param(
            "# Changelog\n\n### 1.4.0\n- x\n" + OLDER, 3, '"## [1.4.0] - 2026-11-25"', id="level-3"
        ),
        pytest.param(
            "# Changelog\n\n## mypkg-v1.4 - 2026-11-20\n- x\n",
            3,
            '"## [1.4.0] - 2026-11-20"',
            id="package-name-prefix",
        ),
    ],
)
def test_a_heading_naming_the_version_that_cannot_be_read_is_said(
    text: str, line: int, heading: str
) -> None:
    problems = section_problems(parse_changelog(text), PATH, Version("1.4.0"), today=TODAY)
    assert_problems(
        problems,
        [
            Expected(
                line, (f"found a heading for 1.4.0 it could not read: line {line}",), (heading,)
            )
        ],
    )


def test_a_version_mentioned_elsewhere_is_no_unreadable_heading() -> None:
    text = "# Changelog\n\n## 1.3.0 - 2026-10-01\n- prepares 1.4.0\n### Upgrading to 1.4.0\n"
    problems = section_problems(parse_changelog(text), PATH, Version("1.4.1"), today=TODAY)
    assert_problems(problems, [Expected(3, ("no section for 1.4.1",))])


def test_changelog_file_per_package() -> None:
    assert changelog_file("{folder}/CHANGELOG.md", "packages/core", "core") == (
        "packages/core/CHANGELOG.md"
    )
    assert changelog_file("{folder}/CHANGELOG.md", ".", "root") == "CHANGELOG.md"
    assert changelog_file("docs/changes/{name}.md", "libs/a", "a-b") == "docs/changes/a-b.md"


# --- changelog-sections ---------------------------------------------------------------------

TOWNCRIER = CHANGELOG_SECTIONS["towncrier"]
ATTRS: ChangelogSections = (
    ("Backwards-incompatible Changes", "breaking"),
    ("Deprecations", "deprecated"),
    ("Changes", "changed"),
)


def test_towncrier_titles_are_known_with_the_towncrier_sections() -> None:
    body = "".join(f"### {title}\n- x\n" for title, _ in TOWNCRIER)
    assert subsection_problems(release(body=body), PATH, TOWNCRIER) == []


@pytest.mark.parametrize(
    ("title", "sections", "probably"),
    [
        pytest.param("Added", TOWNCRIER, '(probably "### Features")', id="kac-title-in-towncrier"),
        pytest.param("Bug fixes", TOWNCRIER, '(probably "### Bugfixes")', id="spelling"),
        pytest.param("Features", ATTRS, "", id="no-title-of-that-kind"),
    ],
)
def test_an_unknown_title_suggests_the_one_of_its_kind(
    title: str, sections: ChangelogSections, probably: str
) -> None:
    problems = subsection_problems(release(body=f"### {title}\n- x\n"), PATH, sections)
    allowed = ", ".join(known for known, _ in sections)
    assert_problems(
        problems,
        [
            Expected(
                4,
                (f'unknown subsection "### {title}"',),
                (f"rename it to one of {allowed}", probably, "`changelog-sections`"),
            )
        ],
    )
    assert probably or "probably" not in problems[0].fix


def test_breaking_changes_by_the_title_the_sections_give_them() -> None:
    body = "### Backwards-incompatible Changes\n- `run` takes a Flow.\n"
    problems = breaking_problems(
        release("## 2.0.0 - 2026-11-24", body), PATH, Version("2.0.0"), Version("1.3.0"), (), ATTRS
    )
    assert_problems(
        problems,
        [
            Expected(
                3,
                ("2.0.0 is a major release", "has no subsection of migration notes"),
                ('give its title the kind "migration" in `changelog-sections`',),
            )
        ],
    )


def test_an_api_break_is_named_under_the_mapped_breaking_title() -> None:
    body = "### Backwards-incompatible Changes\n- other\n### Upgrading\n- steps\n"
    sections: ChangelogSections = (*ATTRS, ("Upgrading", "migration"))
    problems = breaking_problems(
        release(body=body), PATH, Version("1.4.0"), Version("1.3.0"), [("run", "gone")], sections
    )
    assert_problems(
        problems,
        [Expected(4, ('"### Backwards-incompatible Changes" subsection', "does not name run"))],
    )
