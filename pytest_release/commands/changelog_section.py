"""The changelog section ``pytest-release bump`` writes: the ``[Unreleased]`` entries moved
under a heading for the release, dated, in the file's own heading style (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pytest_release.checks.changelog import parse_changelog

if TYPE_CHECKING:
    from datetime import date

    from packaging.version import Version

    from pytest_release.checks.changelog import Changelog

_LINK_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*\S+")
# `[Unreleased]: https://host/owner/repo/compare/v1.3.0...HEAD`
_UNRELEASED_LINK = re.compile(
    r"^(?P<start>\s*\[unreleased\]:\s*\S*?)(?P<previous>[^/\s]+)\.\.\.HEAD\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class ChangelogRelease:
    """The changelog's new text, and what the maintainer should know about it."""

    text: str
    notes: tuple[str, ...]


def changelog_with_release(
    text: str, version: Version, today: date, tag: str | None
) -> ChangelogRelease:
    """``text`` with a section for ``version`` dated ``today``: the entries under
    ``[Unreleased]`` (subsections and all) move into it and ``[Unreleased]`` stays, empty.

    With ``tag`` (the release's tag), a Keep a Changelog compare link for Unreleased is moved
    on and one for the release added. A file that already has a section for ``version`` is
    left as it is.
    """
    changelog = parse_changelog(text)
    if changelog.section_for(version) is not None:
        return ChangelogRelease(text, (f"the changelog already has a section for {version}",))
    lines = text.splitlines()
    heading = _heading(changelog, lines, version, today)
    start = changelog.unreleased_line
    if start is None:
        # No Unreleased section: the new one goes above the newest older release, or else
        # at the top, below the title: never after a history it cannot read.
        older = [section.line for section in changelog.older_than(version)]
        at = min(older, default=_top_line(changelog, lines)) - 1
        gap = [""] if at and lines[at - 1].strip() else []
        new_lines = [*lines[:at], *gap, heading, "", *lines[at:]]
        note = f"no [Unreleased] section: wrote an empty section for {version}; list its changes"
        return ChangelogRelease(_joined(new_lines, text), (note,))
    later = [line for line in changelog.heading_lines if line > start]
    end = min(later, default=len(lines) + 1) - 1  # index of the line after the entries
    entries = lines[start:end]
    if end == len(lines):  # the last section: link references at the bottom stay there
        while entries and (not entries[-1].strip() or _LINK_REFERENCE.match(entries[-1])):
            entries.pop()
    kept = lines[start + len(entries) : end]  # the link references, after blank lines
    while kept and not kept[0].strip():
        kept = kept[1:]
    entries = _trimmed(entries)
    block = [lines[start - 1], "", heading, ""] + ([*entries, ""] if entries else [])
    new_lines = [*lines[: start - 1], *block, *kept, *lines[end:]]
    notes = () if entries else (f"[Unreleased] was empty: list the changes of {version}",)
    if tag is not None:
        new_lines = _moved_links(new_lines, version, tag)
    return ChangelogRelease(_joined(new_lines, text), notes)


def _heading(changelog: Changelog, lines: list[str], version: Version, today: date) -> str:
    """The newest release heading with the new version and date, when it names each once;
    else the Keep a Changelog spelling at the level of the Unreleased (or newest) heading."""
    newest = changelog.sections[0] if changelog.sections else None
    if newest is not None and newest.date_text:
        heading = newest.heading
        if heading.count(newest.version_text) == 1 and heading.count(newest.date_text) == 1:
            return heading.replace(newest.version_text, str(version)).replace(
                newest.date_text, today.isoformat()
            )
    reference = changelog.unreleased_line or (newest.line if newest else None)
    level = "##"
    if reference is not None:
        written = lines[reference - 1].lstrip()
        level = written[: len(written) - len(written.lstrip("#"))] or level
    return f"{level} [{version}] - {today.isoformat()}"


def _top_line(changelog: Changelog, lines: list[str]) -> int:
    """The line a section goes above when no release section says where: the first heading
    below a level 1 title (the first heading when there is no title); the line after the
    text when there is none."""
    headings = list(changelog.heading_lines)
    if headings and re.match(r" {0,3}#(?!#)", lines[headings[0] - 1]):
        headings = headings[1:]
    return headings[0] if headings else len(lines) + 1


def _trimmed(lines: list[str]) -> list[str]:
    """``lines`` without blank lines at either end."""
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = len(lines) - next((i for i, line in enumerate(reversed(lines)) if line.strip()), 0)
    return lines[start:end]


def _moved_links(lines: list[str], version: Version, tag: str) -> list[str]:
    for index, line in enumerate(lines):
        match = _UNRELEASED_LINK.match(line)
        if match is None:
            continue
        start, previous = match["start"], match["previous"]
        base = start[start.index(":") + 1 :].strip()
        release_link = f"[{version}]: {base}{previous}...{tag}"
        return [*lines[:index], f"{start}{tag}...HEAD", release_link, *lines[index + 1 :]]
    return lines


def _joined(lines: list[str], original: str) -> str:
    newline = "\r\n" if "\r\n" in original else "\n"
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    ends_a_line = original.endswith(("\n", "\r")) or not original
    return newline.join(lines) + (newline if ends_a_line else "")
