"""bump_rules, bump_files and changelog_release: the pure parts of `pytest-release bump`."""

from __future__ import annotations

from datetime import date

import pytest
from packaging.version import Version

from pytest_release.checks.changelog import parse_changelog, subsection_problems
from pytest_release.checks.versions import next_version
from pytest_release.commands.bump_files import (
    UnwritableVersion,
    edited_assignment,
    edited_match,
    edited_pyproject,
    edited_whole_file,
)
from pytest_release.commands.bump_rules import (
    BumpRuleError,
    chosen_version,
    requirement_for,
)
from pytest_release.commands.changelog_section import changelog_with_release
from pytest_release.settings import VersionScheme
from pytest_release.target.version_source import _HATCH_PATTERN

TODAY = date.today()


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    [
        ("0.2.0", "patch", "0.2.1"),
        ("0.2.0", "minor", "0.3.0"),
        ("0.2.7", "major", "1.0.0"),
        ("1.2.3", "rc", "1.2.4rc1"),  # rc on a final release: the next patch's first candidate
        ("1.3.0rc1", "rc", "1.3.0rc2"),  # rc on a candidate: the next one
        ("1.3.0b2", "rc", "1.3.0rc1"),
        ("1.3.0rc2", "minor", "1.3.0"),  # the bump that reaches the final release gives it
        ("1.3.1rc1", "patch", "1.3.1"),
        ("2.0.0rc1", "major", "2.0.0"),
        ("1.3.1rc1", "minor", "1.4.0"),
        # pep440 versions: the first three release parts
        ("2026.1", "patch", "2026.1.1"),
        ("2026.1", "minor", "2026.2.0"),
        ("0.65b0", "minor", "0.65.0"),
        ("1.45.0.dev0", "rc", "1.45.0rc1"),  # a development release's first candidate
        ("1.2.3.4", "patch", "1.2.4"),
    ],
)
def test_next_version(current: str, part: str, expected: str) -> None:
    assert next_version(Version(current), part) == Version(expected)


@pytest.mark.parametrize(
    ("given", "current", "message"),
    [
        ("1.2", "1.0.0", "has 2 release parts"),
        ("v1.2.0", "1.0.0", "starts with 'v'"),
        ("banana", "1.0.0", "give one of major, minor, patch, rc"),
        ("1.0.0", "1.0.0", "1.0.0 is equal to the current version 1.0.0"),
        ("0.9.0", "1.0.0", "0.9.0 is below the current version 1.0.0"),
        ("1.0.0rc1", "1.0.0", "below the current version"),
        ("1.0+local", "0.9", "has a local part"),
    ],
)
def test_chosen_version_refuses(given: str, current: str, message: str) -> None:
    with pytest.raises(BumpRuleError, match=message):
        chosen_version(given, Version(current), "pep440" if "+" in given else "semver")


@pytest.mark.parametrize(
    ("given", "current", "scheme", "expected"),
    [
        ("2.0.0rc1", "1.4.2", "semver", "2.0.0rc1"),
        ("minor", "1.4.2", "semver", "1.5.0"),
        ("0.66b0", "0.65b0", "pep440", "0.66b0"),
        ("2026.2", "2026.1", "pep440", "2026.2"),
        ("1.45.0.dev0", "1.44.0", "pep440", "1.45.0.dev0"),
    ],
)
def test_chosen_version_takes_a_version_of_the_scheme_or_a_part(
    given: str, current: str, scheme: VersionScheme, expected: str
) -> None:
    assert chosen_version(given, Version(current), scheme) == Version(expected)


@pytest.mark.parametrize(
    ("written", "version", "expected"),
    [
        # a range that admits the new version is left as written, never narrowed
        ("opentelemetry-api ~= 1.3", "1.44.1", "opentelemetry-api ~= 1.3"),
        ("aetherflow-core>=0.1.0", "0.2.0", "aetherflow-core>=0.1.0"),
        ("core>=1.2,<2", "1.3.0", "core>=1.2,<2"),
        ("core~=0.2", "0.3.0", "core~=0.2"),
        ("core", "0.3.0", "core"),
        ("core>=0.3.0rc1,<0.4", "0.3.0rc2", "core>=0.3.0rc1,<0.4"),
        # one that excludes it changes only the clause that does, spacing kept
        ("opentelemetry-api == 1.44.0", "1.44.1", "opentelemetry-api == 1.44.1"),
        ("core >= 0.2, < 0.3", "0.3.0", "core >= 0.2, < 0.4"),
        ("core>=0.2,<0.3", "0.3.0", "core>=0.2,<0.4"),
        ("core>=1.2,<2", "2.0.0", "core>=1.2,<3"),
        ("core<=0.2.9", "0.3.0", "core<0.4.0"),
        ("core~=0.2.0", "0.3.0", "core~=0.3.0"),
        ("core ~= 1.44.0", "1.45.0", "core ~= 1.45.0"),
        ("core==0.2.0", "0.3.0", "core==0.3.0"),
        ("core==0.2.*", "0.3.0", "core==0.3.*"),
        ("core>0.3.0", "0.3.0", "core>=0.3.0"),
        ("core[fast]>=0.2,<0.3; python_version >= '3.10'", "0.3.0",
         "core[fast]>=0.2,<0.4; python_version >= '3.10'"),
        # pip takes a pre-release only where the range names one
        ("core", "0.3.0rc1", "core>=0.3.0rc1"),
        ("core>=0.2,<0.3", "0.3.0rc1", "core>=0.3.0rc1,<0.4"),
        ("opentelemetry-sdk == 0.64b0", "0.65b0", "opentelemetry-sdk == 0.65b0"),
        ("core @ https://example.invalid/core.whl", "0.3.0",
         "core @ https://example.invalid/core.whl"),
    ],
)  # fmt: skip
def test_requirement_for(written: str, version: str, expected: str) -> None:
    assert requirement_for(written, Version(version)) == expected


def test_requirement_that_cannot_be_widened_is_reported() -> None:
    with pytest.raises(BumpRuleError, match=r"!=0\.3\.0 excludes 0\.3\.0"):
        requirement_for("core>=0.2,!=0.3.0", Version("0.3.0"))


def test_edited_pyproject_changes_only_the_values() -> None:
    before = (
        "[project]  # the dist\n"
        "name = 'app'\n"
        "version = '0.2.0'   # kept comment\n"
        "dependencies = [\n"
        '    "core>=0.2,<0.3",  # internal\n'
        '    "requests>=2",\n'
        "]\n"
        "[project.optional-dependencies]\n"
        "cli = ['core[cli]>=0.2']\n"
    )
    after = edited_pyproject(
        before,
        ("project", "version"),
        "0.3.0",
        lambda text: requirement_for(text, Version("0.3.0")) if text.startswith("core") else text,
    )
    assert after == (
        before.replace("'0.2.0'", "'0.3.0'").replace('"core>=0.2,<0.3"', '"core>=0.2,<0.4"')
    )


def test_edited_assignment_keeps_quotes_and_the_rest() -> None:
    before = "'''Doc.'''\n\nfrom x import y\n\n__version__ = '0.2.0'  # keep\nVERSION = 1\n"
    assert edited_assignment(before, "__version__", "0.2.0", "0.3.0") == before.replace(
        "'0.2.0'", "'0.3.0'"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__version__ = get_version()\n", "not written as the string literal"),
        ("__version__ = '0.1.9'\n", "not written as the string literal"),
        ("name = 'x'\n", "no module-level __version__"),
    ],
)
def test_edited_assignment_refuses_what_is_not_the_literal(text: str, message: str) -> None:
    with pytest.raises(UnwritableVersion, match=message):
        edited_assignment(text, "__version__", "0.2.0", "0.3.0")


def test_edited_match_and_whole_file() -> None:
    about = '# ünïcode\n__version__ = "0.2.0"\n'
    assert edited_match(about, _HATCH_PATTERN, "version", "0.2.0", "0.3.0") == about.replace(
        "0.2.0", "0.3.0"
    )
    assert edited_whole_file("0.2.0\n", "0.2.0", "0.3.0") == "0.3.0\n"
    with pytest.raises(UnwritableVersion):
        edited_whole_file("version: 0.2.0\n", "0.2.0", "0.3.0")


UNRELEASED = """\
# Changelog

Intro.

## [Unreleased]

### Added
- `plan` and `bump`.

### Fixed
- A crash.

## [0.2.0] - 2026-11-20

### Added
- Things.

[Unreleased]: https://example.invalid/compare/v0.2.0...HEAD
[0.2.0]: https://example.invalid/compare/v0.1.0...v0.2.0
"""


def test_changelog_section_is_made_from_unreleased() -> None:
    edited = changelog_with_release(UNRELEASED, Version("0.3.0"), TODAY, "v0.3.0")
    assert edited.notes == ()
    day = TODAY.isoformat()
    assert edited.text == UNRELEASED.replace(
        "## [Unreleased]\n\n", f"## [Unreleased]\n\n## [{'0.3.0'}] - {day}\n\n"
    ).replace(
        "[Unreleased]: https://example.invalid/compare/v0.2.0...HEAD\n",
        "[Unreleased]: https://example.invalid/compare/v0.3.0...HEAD\n"
        "[0.3.0]: https://example.invalid/compare/v0.2.0...v0.3.0\n",
    )
    section = parse_changelog(edited.text).section_for(Version("0.3.0"))
    assert section is not None
    assert [sub.title for sub in section.subsections] == ["Added", "Fixed"]
    assert subsection_problems(section, "CHANGELOG.md") == []


def test_changelog_heading_follows_the_files_style() -> None:
    text = "# Changes\n\n## Unreleased\n\n- Fix.\n\n## 1.4.0 (2026-01-02)\n\n- Old.\n"
    edited = changelog_with_release(text, Version("1.5.0"), TODAY, None)
    assert f"## Unreleased\n\n## 1.5.0 ({TODAY.isoformat()})\n\n- Fix.\n\n## 1.4.0" in edited.text


def test_changelog_without_unreleased_gets_an_empty_section_and_a_note() -> None:
    text = "# Changelog\n\n## [1.0.0] - 2026-01-02\n\n### Added\n- All.\n"
    edited = changelog_with_release(text, Version("1.1.0"), TODAY, "v1.1.0")
    assert edited.text.index("## [1.1.0]") < edited.text.index("## [1.0.0]")
    assert "no [Unreleased] section" in edited.notes[0]


OTEL_CHANGELOG = """\
# Changelog

<!-- changelog start -->

## Version 1.44.0/0.65b0 (2026-07-16)

### Added

- A thing.

## Version 1.43.0/0.64b0 (2026-06-24)

- Older things.
"""


def test_a_changelog_of_two_version_headings_gets_the_new_one_above_the_newest() -> None:
    """Its release headings name two versions (opentelemetry-python's): the new section
    goes above the newest, in its style, with the release version."""
    edited = changelog_with_release(OTEL_CHANGELOG, Version("1.45.0"), TODAY, "v1.45.0")
    assert edited.text == OTEL_CHANGELOG.replace(
        "<!-- changelog start -->\n\n",
        f"<!-- changelog start -->\n\n## Version 1.45.0 ({TODAY.isoformat()})\n\n",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Changelog\n\nIntro.\n", "# Changelog\n\nIntro.\n\n## [1.1.0] - {day}\n"),
        ("## Version 1.0 (2026-01-02)\n- All.\n",
         "## Version 1.1.0 ({day})\n\n## Version 1.0 (2026-01-02)\n- All.\n"),
        ("", "## [1.1.0] - {day}\n"),
    ],
    ids=["title-only", "no-title", "empty"],
)  # fmt: skip
def test_without_a_section_to_follow_the_new_one_goes_at_the_top(text: str, expected: str) -> None:
    edited = changelog_with_release(text, Version("1.1.0"), TODAY, None)
    assert edited.text == expected.format(day=TODAY.isoformat())


def test_unreleased_entries_end_at_the_next_heading_of_any_kind() -> None:
    text = "# Changelog\n\n## Unreleased\n\n- New.\n\n```sh\n# a comment, no heading\n```\n\n"
    text += "## Version 1.0.0/0.1b0 (2026-01-02)\n\n- Old.\n"
    edited = changelog_with_release(text, Version("1.1.0"), TODAY, None)
    new_section = f"## Version 1.1.0 ({TODAY.isoformat()})\n\n- New.\n\n```sh\n# a comment, no"
    assert f"## Unreleased\n\n{new_section}" in edited.text
    assert edited.text.endswith("```\n\n## Version 1.0.0/0.1b0 (2026-01-02)\n\n- Old.\n")


def test_changelog_with_the_section_already_is_left_alone() -> None:
    edited = changelog_with_release(UNRELEASED, Version("0.2.0"), TODAY, "v0.2.0")
    assert edited.text == UNRELEASED
    assert edited.notes == ("the changelog already has a section for 0.2.0",)


def test_changelog_keeps_windows_line_ends() -> None:
    text = UNRELEASED.replace("\n", "\r\n")
    edited = changelog_with_release(text, Version("0.3.0"), TODAY, "v0.3.0")
    assert "\r\n## [0.3.0]" in edited.text
    assert "\n" not in edited.text.replace("\r\n", "")
