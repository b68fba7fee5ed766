"""The changelog: its release sections, parsed, and the rules a release's section obeys (pure).

A release section is a level 1 or 2 Markdown heading that starts with a version
(``## [1.4.0] - 2026-11-24`` in the Keep a Changelog spelling, or a common variant);
its subsections are the ``###`` headings under it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from packaging.version import InvalidVersion, Version

from pytest_release.problems import Problem

SUBSECTIONS: tuple[str, ...] = (
    "Breaking Changes",
    "Added",
    "Changed",
    "Fixed",
    "Deprecated",
    "Removed",
    "Security",
    "Migration Notes",
)
BREAKING = "Breaking Changes"
MIGRATION = "Migration Notes"

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RELEASE = re.compile(
    r"""\[\s*[vV]?(?P<bracketed>\d[^\]\s]*)\s*\](?:\([^)]*\)|\[[^\]]*\])?  # [1.4.0](link)
      |[vV]?(?P<bare>\d(?:[\w.!+-]*\w)?)                                # 1.4.0, v1.4.0
    """,
    re.VERBOSE,
)
_UNRELEASED = re.compile(r"\[?\s*unreleased\b", re.IGNORECASE)
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}(?!\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NOT_CONTENT = re.compile(r"^\s*(?:<!--.*-->|\[[^\]]+\]:\s*\S+.*)?\s*$")  # comment, link ref
_SEPARATORS = " \t-\u2013\u2014:,|\u00b7"  # hyphen, en dash, em dash, colon, comma, bar, dot
_LIKELY_TITLES = {  # other spellings of an allowed title, casefolded
    "Added": ("features", "new features"),
    "Fixed": ("bug fixes", "bugfixes", "fixes"),
    "Changed": ("changes", "improvements"),
    "Breaking Changes": ("breaking",),
    "Migration Notes": ("migration", "upgrading"),
    "Deprecated": ("deprecations",),
    "Removed": ("removals",),
}


@dataclass(frozen=True)
class Subsection:
    """A ``###`` heading of a release section and its non-blank lines."""

    title: str
    line: int
    body: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """One release section: its heading, version, date, subsections and loose text."""

    heading: str
    line: int
    version_text: str
    date_text: str | None
    subsections: tuple[Subsection, ...]
    text_lines: tuple[str, ...]

    @property
    def version(self) -> Version | None:
        """``version_text`` parsed, ``None`` when it is not a valid PEP 440 version."""
        try:
            return Version(self.version_text)
        except InvalidVersion:
            return None


@dataclass(frozen=True)
class Changelog:
    """The release sections in file order, where an Unreleased heading is, if any, and the
    line of every level 1 or 2 heading (release or not: where a section ends)."""

    sections: tuple[Section, ...]
    unreleased_line: int | None
    heading_lines: tuple[int, ...] = ()

    def section_for(self, version: Version) -> Section | None:
        """The first section whose version equals ``version`` (``1.4`` is ``1.4.0``)."""
        return next((s for s in self.sections if s.version == version), None)


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    level: int  # 0 when the line is not a heading
    title: str


@dataclass
class _OpenSection:
    heading: _Line
    version_text: str
    date_text: str | None
    text_lines: list[str] = field(default_factory=list)
    subsections: list[tuple[_Line, list[str]]] = field(default_factory=list)

    def add(self, line: _Line) -> None:
        if line.level == 3:
            self.subsections.append((line, []))
        elif not _NOT_CONTENT.match(line.text):
            (self.subsections[-1][1] if self.subsections else self.text_lines).append(line.text)

    def close(self) -> Section:
        return Section(
            heading=self.heading.text,
            line=self.heading.number,
            version_text=self.version_text,
            date_text=self.date_text,
            subsections=tuple(
                Subsection(title=sub.title, line=sub.number, body=tuple(body))
                for sub, body in self.subsections
            ),
            text_lines=tuple(self.text_lines),
        )


def parse_changelog(text: str) -> Changelog:
    """The release sections of a Markdown changelog; anything else is skipped."""
    sections: list[Section] = []
    unreleased_line: int | None = None
    heading_lines: list[int] = []
    current: _OpenSection | None = None
    for line in _lines(text):
        if line.level not in (1, 2):
            if current is not None:
                current.add(line)
            continue
        heading_lines.append(line.number)
        if current is not None:
            sections.append(current.close())
        current = _release(line)
        if current is None and unreleased_line is None and _UNRELEASED.match(line.title):
            unreleased_line = line.number
    if current is not None:
        sections.append(current.close())
    return Changelog(tuple(sections), unreleased_line, tuple(heading_lines))


def _lines(text: str) -> list[_Line]:
    """Every line, with its heading level; lines in fenced code blocks are never headings."""
    lines: list[_Line] = []
    fence: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        heading = None if fence else _HEADING.match(raw)
        if heading is not None:
            lines.append(_Line(number, raw.rstrip(), len(heading[1]), (heading[2] or "").strip()))
            continue
        lines.append(_Line(number, raw.rstrip(), 0, ""))
        if fence is None and (opening := _FENCE.match(raw)):
            fence = opening[1]
        elif fence and re.fullmatch(rf" {{0,3}}{fence[0]}{{{len(fence)},}}[ \t]*", raw):
            fence = None
    return lines


def _release(line: _Line) -> _OpenSection | None:
    """A section for a heading that starts with a version, ``None`` for any other heading."""
    match = _RELEASE.match(line.title)
    if match is None:
        return None
    version_text = match["bracketed"] or match["bare"]
    return _OpenSection(line, version_text, _date_text(line.title[match.end() :]))


def _date_text(rest: str) -> str | None:
    """The date written after the version: an ISO-looking token, else any text with a digit."""
    rest = rest.lstrip(_SEPARATORS).rstrip()
    if rest.startswith("(") and ")" in rest:
        rest = rest[1 : rest.index(")")].strip()
    if not any(char.isdigit() for char in rest):
        return None
    iso = _ISO_START.match(rest)
    return iso[0] if iso else rest


# --- rules ------------------------------------------------------------------------------------


def section_problems(
    changelog: Changelog, path: str, version: Version, *, today: date
) -> list[Problem]:
    """No section for ``version``, or more than one."""
    found = [section for section in changelog.sections if section.version == version]
    if not found:
        return [_missing_section(changelog, path, version, today)]
    first = f'"{found[0].heading.strip()}" at line {found[0].line}'
    fix = f"merge its entries into the section at line {found[0].line} and delete this one"
    return [
        Problem(
            f'a second section for {version}: "{other.heading.strip()}" (the first is {first})',
            _where(path, other.line),
            fix,
        )
        for other in found[1:]
    ]


def _missing_section(changelog: Changelog, path: str, version: Version, today: date) -> Problem:
    sections, unreleased = changelog.sections, changelog.unreleased_line
    older = [s for s in sections if s.version is not None and s.version < version]
    if older:
        line, place = older[0].line, f'above "{older[0].heading.strip()}" (line {older[0].line})'
        if unreleased is not None:
            place += f', moving this release\'s entries out of "Unreleased" (line {unreleased})'
    elif unreleased is not None:
        line, place = unreleased, f'below the "Unreleased" heading (line {unreleased})'
    elif sections:
        line, place = sections[-1].line, f"after the {sections[-1].version_text} section"
    else:
        line, place = 1, "at the top, below the title"
    newest = f"; the newest section is for {sections[0].version_text}" if sections else ""
    heading = f'"{_level(changelog)} [{version}] - {today.isoformat()}"'
    fix = f"add {heading} {place}, with the changes of {version} under ### subsections"
    return Problem(f"the changelog has no section for {version}{newest}", _where(path, line), fix)


def date_problems(section: Section, path: str, *, today: date) -> list[Problem]:
    """No release date, a date that is not a valid ``YYYY-MM-DD``, or one in the future."""
    where, heading = _where(path, section.line), section.heading.strip()
    example = _with_date(section, today)
    if section.date_text is None:
        fix = f'write the release date after the version: "{example}"'
        return [Problem(f'the heading "{heading}" has no release date', where, fix)]
    released = _parse_date(section.date_text)
    if isinstance(released, str):
        what = f'the release date "{section.date_text}" in "{heading}" {released}'
        fix = f'write the date as YYYY-MM-DD (ISO 8601), e.g. "{example}" for a release today'
        return [Problem(what, where, fix)]
    if released > today + timedelta(days=1):
        what = f'the release date {section.date_text} in "{heading}" is in the future '
        what += f"(today is {today.isoformat()})"
        fix = f'write the day of the release: "{example}" for a release today'
        return [Problem(what, where, fix)]
    return []


def _parse_date(text: str) -> date | str:
    """The date, or why ``text`` is not one."""
    if not _ISO_DATE.fullmatch(text):
        return "is not written as YYYY-MM-DD"
    year, month, day = (int(part) for part in text.split("-"))
    try:
        return date(year, month, day)
    except ValueError as error:
        return f"is not a real date ({error})"


def _with_date(section: Section, today: date) -> str:
    """The section's heading with today's date in place of the date written, or added."""
    heading = section.heading.strip()
    if section.date_text is None:
        return f"{heading} - {today.isoformat()}"
    before, _, after = heading.rpartition(section.date_text)
    return f"{before}{today.isoformat()}{after}"


def subsection_problems(section: Section, path: str) -> list[Problem]:
    """An empty section; unknown, repeated or empty subsections."""
    problems: list[Problem] = []
    allowed, name = ", ".join(SUBSECTIONS), section.version_text
    if not section.subsections and not section.text_lines:
        what = f'the section "{section.heading.strip()}" is empty'
        fix = f"list the changes of {name} under ### subsections ({allowed})"
        problems.append(Problem(what, _where(path, section.line), fix))
    seen: dict[str, Subsection] = {}
    for sub in section.subsections:
        key, where = sub.title.casefold(), _where(path, sub.line)
        if key not in {title.casefold() for title in SUBSECTIONS}:
            likely = _likely_title(sub.title)
            fix = f"rename it to one of {allowed}" + (
                f' (probably "### {likely}")' if likely else ""
            )
            problems.append(Problem(f'unknown subsection "### {sub.title}" in {name}', where, fix))
        elif key in seen:
            what = f'a second "### {sub.title}" subsection in {name} (the first is at line '
            fix = f"merge its entries into the one at line {seen[key].line} and delete this one"
            problems.append(Problem(f"{what}{seen[key].line})", where, fix))
        seen.setdefault(key, sub)
        if not sub.body:
            fix = "list the changes under it, one bullet each, or delete the heading"
            problems.append(
                Problem(f'the subsection "### {sub.title}" of {name} is empty', where, fix)
            )
    return problems


def _likely_title(title: str) -> str | None:
    """The allowed title a user most probably meant, if any."""
    key = title.casefold()
    if alias := next((t for t, others in _LIKELY_TITLES.items() if key in others), None):
        return alias
    close = difflib.get_close_matches(key, [t.casefold() for t in SUBSECTIONS], n=1, cutoff=0.75)
    return next((t for t in SUBSECTIONS if close and t.casefold() == close[0]), None)


def breaking_problems(
    section: Section,
    path: str,
    version: Version,
    previous: Version | None,
    api_breaks: Sequence[tuple[str, str]] = (),
) -> list[Problem]:
    """What breaking releases owe their users: listed breaking changes and migration notes.

    A major bump needs a non-empty "Breaking Changes" and "Migration Notes"; a 0.x minor
    bump that has "Breaking Changes" needs "Migration Notes". Breaking changes of the public
    API (``api_breaks``: each name, as its boundary module names it, and what changed) need
    both, whatever the bump, and "Breaking Changes" names each of them. A first release
    owes nothing.
    """
    if previous is None:
        return []
    if api_breaks:
        reason = f"{version} breaks the public API ({len(api_breaks)} change(s) since "
        reason += f"{previous}, found by the api gate)"
        titles: tuple[str, ...] = (BREAKING, MIGRATION)
    elif version.major > previous.major:
        reason = f"{version} is a major release (after {previous})"
        titles = (BREAKING, MIGRATION)
    elif previous.major == 0 == version.major and version.minor > previous.minor:
        reason = f"{version} is a 0.x minor release (after {previous}) with breaking changes"
        titles = (MIGRATION,) if _subsections(section, BREAKING) else ()
    else:
        return []
    found = [_required(section, path, title, reason, previous) for title in titles]
    if api_breaks and found[0] is not None:  # no "Breaking Changes" yet: say what goes there
        fix = f"{found[0].fix}: {_bullets(api_breaks)}"
        found[0] = Problem(found[0].what, found[0].where, fix)
    problems = [problem for problem in found if problem is not None]
    if api_breaks and found[0] is None:
        problems += _unlisted(section, path, api_breaks)
    return problems


def _bullets(api_breaks: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"- `{name}`: {what}" for name, what in api_breaks)


def _unlisted(section: Section, path: str, api_breaks: Sequence[tuple[str, str]]) -> list[Problem]:
    """A problem when "Breaking Changes" leaves out a name the api gate found broken."""
    listed = "\n".join(line for sub in _subsections(section, BREAKING) for line in sub.body)
    missing = [
        (name, what)
        for name, what in api_breaks
        if not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", listed)
    ]
    if not missing:
        return []
    names = ", ".join(dict.fromkeys(name for name, _ in missing))
    first = _subsections(section, BREAKING)[0]
    return [
        Problem(
            f'the "### {first.title}" subsection of {section.version_text} does not name '
            f"{names}, which the api gate found broken",
            _where(path, first.line),
            f"list each breaking change there by name, with what changed: {_bullets(missing)}",
        )
    ]


def _required(
    section: Section, path: str, title: str, reason: str, previous: Version
) -> Problem | None:
    """A problem when ``section`` has no non-empty subsection titled ``title``."""
    found = _subsections(section, title)
    purpose = (
        "list every change that can break code written for the previous release"
        if title == BREAKING
        else f"tell users, step by step, how to upgrade their code from {previous}"
    )
    if not found:
        what = f'{reason}, but its section has no "### {title}" subsection'
        fix = f'add "### {title}" to the {section.version_text} section and {purpose}'
        return Problem(what, _where(path, section.line), fix)
    if not any(sub.body for sub in found):
        what = f'{reason}, but its "### {found[0].title}" subsection is empty'
        return Problem(
            what, _where(path, found[0].line), f'under "### {found[0].title}", {purpose}'
        )
    return None


def _subsections(section: Section, title: str) -> list[Subsection]:
    """The subsections titled ``title``, compared case-insensitively."""
    return [sub for sub in section.subsections if sub.title.casefold() == title.casefold()]


def _level(changelog: Changelog) -> str:
    """The ``#`` run the release headings use (``##`` when there is none yet)."""
    if not changelog.sections:
        return "##"
    heading = changelog.sections[0].heading.lstrip()
    return heading[: len(heading) - len(heading.lstrip("#"))]


def _where(path: str, line: int) -> str:
    return f"{path}, line {line}"
