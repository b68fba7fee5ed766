"""The changelog: its release sections, parsed, and the rules a release's section obeys (pure).

A release section is a heading that starts with a version: in Markdown a level 1 or 2
heading (``## [1.4.0] - 2026-11-24`` in the Keep a Changelog spelling, or a common variant:
``## Version 1.4.0``, ``## Release 1.4.0``, ``## v1.4.0 (2026-11-24)``, and
``## Version 1.44.0/0.65b0 (2026-07-16)`` for several versions released together); in
reStructuredText (a ``.rst`` file) a title underlined at the level of the first release
title. Its subsections are the headings one level below (``###`` in Markdown); what each
holds is the kind the ``changelog-sections`` setting gives its title.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from packaging.version import InvalidVersion, Version

from pytest_release.problems import Problem
from pytest_release.settings import (
    CHANGELOG_SECTIONS,
    ChangelogKind,
    ChangelogSections,
)

KEEP_A_CHANGELOG = CHANGELOG_SECTIONS["keep-a-changelog"]

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1{2,}[ \t]*$")  # a run of one punctuation mark
_ONE_VERSION = r"[vV]?\d(?:[\w.!+-]*\w)?"
_VERSIONS = rf"{_ONE_VERSION}(?:[ \t]*/[ \t]*(?!\d{{4}}-\d\d-\d\d){_ONE_VERSION})*"
_RELEASE = re.compile(
    rf"""(?:(?i:version|release)[ \t]*:?[ \t]+)?                     # Version 1.4.0
      (?:\[\s*(?P<bracketed>{_VERSIONS})\s*\](?:\([^)]*\)|\[[^\]]*\])?  # [1.4.0](link)
        |(?P<bare>{_VERSIONS}))                                        # 1.4.0, v1.4.0/0.5b0
    """,
    re.VERBOSE,
)
_VERSION_TOKEN = re.compile(r"(?<![\w.])[vV]?(\d(?:[\w.!+-]*\w)?)")
_UNRELEASED = re.compile(r"\[?\s*unreleased\b", re.IGNORECASE)
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}(?!\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NOT_CONTENT = re.compile(r"^\s*(?:<!--.*-->|\[[^\]]+\]:\s*\S+.*)?\s*$")  # comment, link ref
_SEPARATORS = " \t-\u2013\u2014:,|\u00b7/"  # hyphen, en/em dash, colon, comma, bar, dot, slash
_KIND_WORDS: dict[ChangelogKind, str] = {
    "breaking": "breaking changes",
    "added": "additions",
    "changed": "changes",
    "fixed": "fixes",
    "deprecated": "deprecations",
    "removed": "removals",
    "security": "security fixes",
    "migration": "migration notes",
}
# Other spellings of each kind, casefolded: every preset's titles, and common variants.
_LIKELY_KINDS: dict[str, ChangelogKind] = {
    **{title.casefold(): kind for known in CHANGELOG_SECTIONS.values() for title, kind in known},
    "new features": "added",
    "bug fixes": "fixed",
    "fixes": "fixed",
    "changes": "changed",
    "improvements": "changed",
    "breaking": "breaking",
    "migration": "migration",
    "upgrading": "migration",
    "deprecations": "deprecated",
    "removals": "removed",
}


class Markup(Enum):
    """How the changelog writes its headings: by the file's suffix."""

    MARKDOWN = "markdown"  # ## 1.4.0 - 2026-11-24, ### Added
    RST = "rst"  # 1.4.0 (2026-11-24) underlined with ----, Added underlined with ~~~~


def markup_of(path: str) -> Markup:
    return Markup.RST if path.casefold().endswith((".rst", ".rest")) else Markup.MARKDOWN


def changelog_file(setting: str, folder: str, name: str) -> str:
    """The changelog of the package ``name`` in ``folder`` (relative to the root), by the
    ``changelog`` setting: ``{folder}/CHANGELOG.md`` is ``packages/core/CHANGELOG.md``."""
    return posixpath.normpath(setting.format(folder=folder, name=name))


@dataclass(frozen=True)
class Subsection:
    """A subsection heading of a release section and its non-blank lines."""

    title: str
    line: int
    body: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """One release section: its heading, versions, date, subsections and loose text."""

    heading: str
    line: int
    version_text: str  # as written: "1.4.0", or "1.44.0/0.65b0" for versions released together
    date_text: str | None
    subsections: tuple[Subsection, ...]
    text_lines: tuple[str, ...]
    markup: Markup = Markup.MARKDOWN

    @property
    def versions(self) -> tuple[Version, ...]:
        """Each version the heading names that is a valid PEP 440 version."""
        return tuple(
            version
            for text in self.version_text.split("/")
            if (version := _version(text.strip().lstrip("vV"))) is not None
        )

    def names(self, version: Version) -> bool:
        """Whether the heading names ``version`` (``1.4`` is ``1.4.0``)."""
        return version in self.versions

    def is_older_than(self, version: Version) -> bool:
        """Whether this section is a release before ``version``: by its version of the same
        major (``0.64b0`` of ``1.43.0/0.64b0`` for ``0.65b0``), else by its first one."""
        same = [v for v in self.versions if v.major == version.major]
        return any(v < version for v in (same or self.versions[:1]))


@dataclass(frozen=True)
class Changelog:
    """The release sections in file order, where an Unreleased heading is, if any, the
    line of every heading at the release level or above (where a section ends), and every
    other heading that is not a release's (line, text), where a release written in a form
    the gate cannot read shows."""

    sections: tuple[Section, ...]
    unreleased_line: int | None
    heading_lines: tuple[int, ...] = ()
    other_headings: tuple[tuple[int, str], ...] = ()
    markup: Markup = Markup.MARKDOWN
    release_mark: str = "##"  # how release headings are marked: ## (Markdown), - (rst)

    def section_for(self, version: Version) -> Section | None:
        """The first section that names ``version`` (``1.4`` is ``1.4.0``)."""
        return next((s for s in self.sections if s.names(version)), None)

    def older_than(self, version: Version) -> list[Section]:
        """The sections of releases before ``version``, in file order."""
        return [section for section in self.sections if section.is_older_than(version)]

    def unreadable_headings(self, version: Version) -> list[tuple[int, str]]:
        """The headings that name ``version`` but are no release section the gate reads."""
        return [
            (line, text)
            for line, text in self.other_headings
            if any(_version(token) == version for token in _VERSION_TOKEN.findall(text))
        ]


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
    markup: Markup
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
            markup=self.markup,
        )


def parse_changelog(text: str, markup: Markup = Markup.MARKDOWN) -> Changelog:
    """The release sections of a changelog; anything else is skipped."""
    sections: list[Section] = []
    unreleased_line: int | None = None
    heading_lines: list[int] = []
    others: list[tuple[int, str]] = []
    current: _OpenSection | None = None
    lines, mark = _markdown_lines(text) if markup is Markup.MARKDOWN else _rst_lines(text)
    for line in lines:
        if line.level not in (1, 2):
            if line.level:
                others.append((line.number, line.title))
            if current is not None:
                current.add(line)
            continue
        heading_lines.append(line.number)
        if current is not None:
            sections.append(current.close())
        current = _release(line, markup)
        if current is not None:
            continue
        others.append((line.number, line.title))
        if unreleased_line is None and _UNRELEASED.match(line.title):
            unreleased_line = line.number
    if current is not None:
        sections.append(current.close())
    if markup is Markup.MARKDOWN and sections:
        heading = sections[0].heading.lstrip()
        mark = heading[: len(heading) - len(heading.lstrip("#"))]
    return Changelog(
        tuple(sections), unreleased_line, tuple(heading_lines), tuple(others), markup, mark
    )


def _markdown_lines(text: str) -> tuple[list[_Line], str]:
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
    return lines, "##"


def _rst_lines(text: str) -> tuple[list[_Line], str]:
    """Every line but title adornments, with its heading level counted from the release
    titles' level (2): a title above it is 1, one below 3 (a subsection), deeper ones 4.

    A title is an unindented line after a blank line or another title, underlined (and
    maybe overlined) with a run of one punctuation mark; its level is the order its
    adornment first appears in.
    """
    raw = text.splitlines()
    styles: list[tuple[str, bool]] = []
    found: dict[int, int] = {}  # index of a title line -> its level
    adornments: set[int] = set()
    for index, line in enumerate(raw[:-1]):
        under = _ADORNMENT.match(raw[index + 1])
        if under is None or not line.strip() or line[0].isspace() or _ADORNMENT.match(line):
            continue
        over = index > 0 and raw[index - 1].strip() == raw[index + 1].strip()
        before = index - over - 1
        if before >= 0 and raw[before].strip() and before not in adornments:
            continue  # the last line of a paragraph
        style = (under[1], over)
        styles += [] if style in styles else [style]
        found[index] = styles.index(style) + 1
        adornments.update({index - 1, index + 1} if over else {index + 1})
    release_level = next(
        (level for index, level in found.items() if _RELEASE.match(raw[index].strip())
         or _UNRELEASED.match(raw[index].strip())),
        1,
    )  # fmt: skip
    lines = [
        _Line(number, line.rstrip(), 0, "")
        if (level := found.get(number - 1)) is None
        else _Line(number, line.rstrip(), max(1, min(level - release_level + 2, 4)), line.strip())
        for number, line in enumerate(raw, start=1)
        if number - 1 not in adornments
    ]
    mark = styles[release_level - 1][0] if styles else "-"
    return lines, mark


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _release(line: _Line, markup: Markup) -> _OpenSection | None:
    """A section for a heading that starts with a version, ``None`` for any other heading."""
    match = _RELEASE.match(line.title)
    if match is None:
        return None
    version_text = (match["bracketed"] or match["bare"]).lstrip("vV")
    return _OpenSection(line, version_text, _date_text(line.title[match.end() :]), markup)


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
    """No section for ``version`` (or only a heading the gate cannot read), or more than one."""
    found = [section for section in changelog.sections if section.names(version)]
    if not found:
        unreadable = changelog.unreadable_headings(version)
        if unreadable:
            return [
                _unreadable(changelog, path, version, line, text, today)
                for line, text in unreadable
            ]
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


def _unreadable(
    changelog: Changelog, path: str, version: Version, line: int, text: str, today: date
) -> Problem:
    written = _ISO_DATE.search(text)
    day = _parse_date(written[0]) if written else today
    heading = _release_heading(changelog, version, day if isinstance(day, date) else today)
    what = f'found a heading for {version} it could not read: line {line} "{text}"'
    fix = (
        f"write it as {heading}: a release heading starts with the version (after "
        '"Version" or "Release", if you like) and then gives the date'
    )
    return Problem(what, _where(path, line), fix)


def _missing_section(changelog: Changelog, path: str, version: Version, today: date) -> Problem:
    sections, unreleased = changelog.sections, changelog.unreleased_line
    older = changelog.older_than(version)
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
    heading = _release_heading(changelog, version, today)
    fix = f"add {heading} {place}, with the changes of {version} under "
    fix += _SUBSECTIONS[changelog.markup]
    return Problem(f"the changelog has no section for {version}{newest}", _where(path, line), fix)


def _release_heading(changelog: Changelog, version: Version, day: date) -> str:
    """The heading to write for ``version``, quoted, in the changelog's own markup."""
    if changelog.markup is Markup.RST:
        title = f"{version} ({day.isoformat()})"
        return f'"{title}", underlined with {changelog.release_mark * len(title)}'
    return f'"{changelog.release_mark} [{version}] - {day.isoformat()}"'


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


def subsection_problems(
    section: Section, path: str, sections: ChangelogSections = KEEP_A_CHANGELOG
) -> list[Problem]:
    """An empty section; unknown, repeated or empty subsections. ``sections`` are the
    titles the changelog may use (``changelog-sections``)."""
    problems: list[Problem] = []
    allowed, name = ", ".join(title for title, _ in sections), section.version_text
    if not section.subsections and not section.text_lines:
        what = f'the section "{section.heading.strip()}" is empty'
        fix = f"list the changes of {name} under {_SUBSECTIONS[section.markup]} ({allowed})"
        problems.append(Problem(what, _where(path, section.line), fix))
    seen: dict[str, Subsection] = {}
    for sub in section.subsections:
        key, where, titled = (
            sub.title.casefold(),
            _where(path, sub.line),
            _titled(section, sub.title),
        )
        if _kind_of(sub.title, sections) is None:
            likely = _likely_title(sub.title, sections)
            probably = f' (probably "{_titled(section, likely)}")' if likely else ""
            fix = f"rename it to one of {allowed}{probably}, or give its title a kind in "
            fix += "`changelog-sections`"
            problems.append(Problem(f'unknown subsection "{titled}" in {name}', where, fix))
        elif key in seen:
            what = f'a second "{titled}" subsection in {name} (the first is at line '
            fix = f"merge its entries into the one at line {seen[key].line} and delete this one"
            problems.append(Problem(f"{what}{seen[key].line})", where, fix))
        seen.setdefault(key, sub)
        if not sub.body:
            fix = "list the changes under it, one bullet each, or delete the heading"
            problems.append(Problem(f'the subsection "{titled}" of {name} is empty', where, fix))
    return problems


def _likely_title(title: str, sections: ChangelogSections) -> str | None:
    """The allowed title a user most probably meant, if any."""
    if (kind := _LIKELY_KINDS.get(title.casefold())) and (alias := _title_of(kind, sections)):
        return alias
    titles = [known for known, _ in sections]
    keys = [known.casefold() for known in titles]
    close = difflib.get_close_matches(title.casefold(), keys, n=1, cutoff=0.75)
    return titles[keys.index(close[0])] if close else None


def breaking_problems(
    section: Section,
    path: str,
    version: Version,
    previous: Version | None,
    api_breaks: Sequence[tuple[str, str]] = (),
    sections: ChangelogSections = KEEP_A_CHANGELOG,
    *,
    sized_by_version: bool = True,
) -> list[Problem]:
    """What breaking releases owe their users: listed breaking changes and migration notes.
    (A version that does not size its bump, ``sized_by_version`` false, owes them only for
    the public API's breaks.)

    A major bump needs a non-empty subsection of breaking changes and one of migration
    notes (their titles are those ``sections`` give these kinds: "Breaking Changes" and
    "Migration Notes" by default); a 0.x minor bump that lists breaking changes needs
    migration notes. Breaking changes of the public API (``api_breaks``: each name, as its
    boundary module names it, and what changed) need both, whatever the bump, and the
    breaking changes name each of them. A first release owes nothing.
    """
    if previous is None:
        return []
    if api_breaks:
        reason = f"{version} breaks the public API ({len(api_breaks)} change(s) since "
        reason += f"{previous}, found by the api gate)"
        kinds: tuple[ChangelogKind, ...] = ("breaking", "migration")
    elif sized_by_version and version.major > previous.major:
        reason = f"{version} is a major release (after {previous})"
        kinds = ("breaking", "migration")
    elif (
        sized_by_version and previous.major == 0 == version.major and version.minor > previous.minor
    ):
        reason = f"{version} is a 0.x minor release (after {previous}) with breaking changes"
        kinds = ("migration",) if _subsections(section, "breaking", sections) else ()
    else:
        return []
    found = [_required(section, path, kind, reason, previous, sections) for kind in kinds]
    if api_breaks and found[0] is not None:  # no breaking changes yet: say what goes there
        fix = f"{found[0].fix}: {_bullets(api_breaks)}"
        found[0] = Problem(found[0].what, found[0].where, fix)
    problems = [problem for problem in found if problem is not None]
    if api_breaks and found[0] is None:
        problems += _unlisted(section, path, api_breaks, sections)
    return problems


def _bullets(api_breaks: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"- `{name}`: {what}" for name, what in api_breaks)


def _unlisted(
    section: Section,
    path: str,
    api_breaks: Sequence[tuple[str, str]],
    sections: ChangelogSections,
) -> list[Problem]:
    """A problem when the breaking changes leave out a name the api gate found broken."""
    listed = _subsections(section, "breaking", sections)
    text = "\n".join(line for sub in listed for line in sub.body)
    missing = [
        (name, what)
        for name, what in api_breaks
        if not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
    ]
    if not missing:
        return []
    names = ", ".join(dict.fromkeys(name for name, _ in missing))
    return [
        Problem(
            f'the "{_titled(section, listed[0].title)}" subsection of {section.version_text} '
            f"does not name {names}, which the api gate found broken",
            _where(path, listed[0].line),
            f"list each breaking change there by name, with what changed: {_bullets(missing)}",
        )
    ]


def _required(
    section: Section,
    path: str,
    kind: ChangelogKind,
    reason: str,
    previous: Version,
    sections: ChangelogSections,
) -> Problem | None:
    """A problem when ``section`` has no non-empty subsection of ``kind``."""
    found = _subsections(section, kind, sections)
    purpose = (
        "list every change that can break code written for the previous release"
        if kind == "breaking"
        else f"tell users, step by step, how to upgrade their code from {previous}"
    )
    if not found:
        title = _title_of(kind, sections)
        if title is None:
            what = f"{reason}, but its section has no subsection of {_KIND_WORDS[kind]}"
            fix = f"add one to the {section.version_text} section and {purpose}; give its "
            fix += f'title the kind "{kind}" in `changelog-sections`'
            return Problem(what, _where(path, section.line), fix)
        titled = _titled(section, title)
        what = f'{reason}, but its section has no "{titled}" subsection'
        fix = f'add "{titled}" to the {section.version_text} section and {purpose}'
        return Problem(what, _where(path, section.line), fix)
    if not any(sub.body for sub in found):
        titled = _titled(section, found[0].title)
        what = f'{reason}, but its "{titled}" subsection is empty'
        return Problem(what, _where(path, found[0].line), f'under "{titled}", {purpose}')
    return None


def _kind_of(title: str, sections: ChangelogSections) -> ChangelogKind | None:
    """The kind ``sections`` give ``title`` (in any case), ``None`` for an unknown title."""
    return next((kind for known, kind in sections if known.casefold() == title.casefold()), None)


def _title_of(kind: ChangelogKind, sections: ChangelogSections) -> str | None:
    """The first title ``sections`` give ``kind``, ``None`` when none has it."""
    return next((title for title, known in sections if known == kind), None)


def _subsections(
    section: Section, kind: ChangelogKind, sections: ChangelogSections
) -> list[Subsection]:
    """The subsections whose titles ``sections`` give ``kind``."""
    return [sub for sub in section.subsections if _kind_of(sub.title, sections) == kind]


_SUBSECTIONS = {Markup.MARKDOWN: "### subsections", Markup.RST: "subsection titles"}


def _titled(section: Section, title: str) -> str:
    """A subsection heading as the changelog writes it: ``### Added``, or ``Added`` (rst)."""
    return f"### {title}" if section.markup is Markup.MARKDOWN else title


def _where(path: str, line: int) -> str:
    return f"{path}, line {line}"
