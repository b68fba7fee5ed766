"""Which GitHub releases a release makes, and their notes: one per tag of the release (one
for the repository's tag, or one per package under per-package tags), each with the
changelog section of its version, as the changelog gate checked it, read with that gate's
parser. Pure logic (no pytest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from pytest_release.checks import changelog
from pytest_release.checks.versions import release_tag_names
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Package


class GitHubReleaseError(Exception):
    """A GitHub release could not be made: what went wrong, where, and how to fix it."""

    def __init__(self, what: str, where: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.where = where
        self.fix = fix


@dataclass(frozen=True)
class NotesSource:
    """A changelog section that goes into a release's notes: the file (relative to the
    root, as the setting names it), the version of its section, and the package it is of
    (None: the repository's changelog)."""

    changelog: str
    version: Version
    package: str | None = None


@dataclass(frozen=True)
class PlannedRelease:
    """The GitHub release of one tag: its version, the packages it releases (publish
    order) and where its notes come from (none: ``changelog = false``)."""

    tag: str
    version: Version
    packages: tuple[str, ...]
    notes_from: tuple[NotesSource, ...]

    @property
    def prerelease(self) -> bool:
        """aN, bN, rcN (and .devN) versions are GitHub pre-releases."""
        return self.version.is_prerelease


def planned_releases(
    settings: Settings, released: Sequence[Package], release: Version, root: Path
) -> list[PlannedRelease]:
    """One release per tag of the release, in publish order: one for the repository's tag,
    or under per-package tags one per package. The notes come from the changelog section
    the changelog gate checked: the repository's changelog at the release version, or each
    package's own changelog (at its own version under independent versioning)."""
    by_tag: dict[str, list[Package]] = {}
    for package in released:
        (tag,) = release_tag_names(settings.tag, [package], release)
        by_tag.setdefault(tag, []).append(package)
    planned = []
    for tag, packages in by_tag.items():
        first = packages[0]
        own = settings.tag.names_package(first.name)
        version = (first.version or release) if own else release
        sources = dict.fromkeys(
            _notes_source(settings, package, release, root) for package in packages
        )
        planned.append(
            PlannedRelease(
                tag,
                version,
                tuple(package.name for package in packages),
                tuple(source for source in sources if source is not None),
            )
        )
    return planned


def _notes_source(
    settings: Settings, package: Package, release: Version, root: Path
) -> NotesSource | None:
    if settings.changelog is None:
        return None
    if not settings.changelog_per_package:
        return NotesSource(settings.changelog, release)
    folder = package.folder.relative_to(root).as_posix()
    relative = changelog.changelog_file(settings.changelog, folder, package.name)
    independent = settings.versioning == "independent" and package.version is not None
    version = package.version if independent and package.version else release
    return NotesSource(relative, version, package.name)


def section_text(text: str, markup: changelog.Markup, version: Version) -> str | None:
    """The body of the changelog section for ``version`` as written (its subsections, lists,
    links and the file's link references, which GitHub's Markdown shows as nothing but
    uses), without its heading; None when the changelog has no section for it."""
    parsed = changelog.parse_changelog(text, markup)
    section = parsed.section_for(version)
    if section is None:
        return None
    lines = text.splitlines()
    start = section.line  # the index of the line after the heading
    later = [line for line in parsed.heading_lines if line > section.line]
    end = min(later, default=len(lines) + 1) - 1  # the index of the next heading's line
    if markup is changelog.Markup.RST:
        start += 1  # past the title's underline
        under = lines[end + 1].strip() if end + 1 < len(lines) else None
        if end > start and lines[end - 1].strip() == under:
            end -= 1  # the next title's overline
    body = lines[start:end]
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    return "\n".join(body)


def release_notes(root: Path, planned: PlannedRelease) -> str | None:
    """The notes of ``planned``: its changelog section (each package's, under its name, when
    the release gathers several changelogs); None when GitHub is to write them."""
    if not planned.notes_from:
        return None
    parts = []
    for source in planned.notes_from:
        path = root / source.changelog
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise GitHubReleaseError(
                f"the notes of {planned.tag} could not be read: {error}",
                str(path),
                "restore the changelog the changelog gate read",
            ) from None
        body = section_text(text, changelog.markup_of(source.changelog), source.version)
        if body is None:
            raise GitHubReleaseError(
                f"{source.changelog} has no section for {source.version}, the notes of "
                f"{planned.tag}",
                str(path),
                "restore the section the changelog gate checked",
            )
        gathered = len(planned.notes_from) > 1 and source.package
        parts.append(f"## {source.package}\n\n{body}" if gathered else body)
    return "\n\n".join(parts)
