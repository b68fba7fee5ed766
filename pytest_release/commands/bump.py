"""``pytest-release bump``: every edit a release needs, planned before anything is written.

The plan holds each file's text before and after: the packages' versions (where
version_source found them), internal requirement ranges that must move, literal
``__version__`` strings, and the changelog's new section. Nothing here runs git or writes
until ``BumpPlan.write``, which then runs ``uv lock`` where the repository keeps a
``uv.lock``; the caller checks the work tree first.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pytest_release.checks.versions import BUMP_PARTS, bump_problems, repository_tag
from pytest_release.commands.bump_files import (
    UnwritableVersion,
    edited_assignment,
    edited_pyproject,
    edited_version_file,
)
from pytest_release.commands.bump_rules import (
    BumpRuleError,
    chosen_version,
    requirement_for,
)
from pytest_release.commands.changelog_section import changelog_with_release
from pytest_release.commands.uv_lock import LOCK_FILE, keeps_a_lock, relock
from pytest_release.problems import Problem, render_problems
from pytest_release.target.pyproject import relative
from pytest_release.target.version_source import module_file

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import date

    from packaging.version import Version

    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import Monorepo, Package


class BumpError(Exception):
    """The bump cannot be made as asked; ``problems`` says why, each with its fix."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(render_problems(self.problems))


@dataclass(frozen=True)
class FileEdit:
    path: Path
    before: str
    after: str


@dataclass(frozen=True)
class BumpPlan:
    """The new versions (by package name, publish order) and the files' new texts."""

    root: Path
    versions: Mapping[str, tuple[str | None, Version]]
    release: Version | None  # the version the gates will release: the repository's
    edits: tuple[FileEdit, ...]
    notes: tuple[str, ...]
    relock: bool = False  # the repository keeps a uv.lock: `uv lock` follows the edits

    def diff(self) -> str:
        """Every edit as a unified diff, paths relative to the repo root."""
        chunks: list[str] = []
        for edit in self.edits:
            rel = relative(edit.path, self.root)
            chunks += difflib.unified_diff(
                edit.before.splitlines(keepends=True),
                edit.after.splitlines(keepends=True),
                f"a/{rel}",
                f"b/{rel}",
            )
        return "".join(chunks)

    def write(self) -> None:
        """Write every edit, then refresh the uv.lock; BumpError when that fails."""
        for edit in self.edits:
            with edit.path.open("w", encoding="utf-8", newline="") as file:
                file.write(edit.after)
        if self.relock and (problem := relock(self.root)) is not None:
            raise BumpError([problem])


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as file:  # keeps \r\n as written
        return file.read()


class _Texts(dict[Path, str]):
    """The files' new texts, each read from disk on first use."""

    def __missing__(self, path: Path) -> str:
        self[path] = _read(path)
        return self[path]


def plan_bump(
    settings: Settings,
    monorepo: Monorepo,
    given: str,
    *,
    package: str | None = None,
    today: date,
    tags: Sequence[str] = (),
) -> BumpPlan:
    """The edits that release ``given`` (a version, or major/minor/patch/rc): for every
    package, or for ``package`` alone (independent versioning only). Raises BumpError with
    every reason it cannot be made."""
    chosen = _packages(settings, monorepo, package)
    new = _new_versions(settings, chosen, given)
    # Above the last release: the versions gate's own rule, on the new versions.
    problems = [
        found
        for p in chosen
        for found in bump_problems(replace(p, version_text=str(new[p.key])), tags, settings)
    ]
    if problems:
        raise BumpError(problems)
    texts, notes = _Texts(), list[str]()
    for each in monorepo.packages:
        bumped = each.key in new
        place = each.version_place if bumped else None
        key = place.toml_key if place is not None and place.path == each.pyproject else ()

        def requirement(text: str, owner: Package = each) -> str:
            return _moved_requirement(text, owner, new, problems)

        version = str(new[each.key]) if key else None
        texts[each.pyproject] = edited_pyproject(texts[each.pyproject], key, version, requirement)
        if place is not None and not key:
            texts[place.path] = edited_version_file(
                texts[place.path], place, each.version_text or "", str(new[each.key])
            )
        if bumped:
            _edit_dunder_versions(each, str(new[each.key]), texts, notes, monorepo.root)
    if problems:
        raise BumpError(problems)
    release = _repository_release(settings, monorepo, new)
    if release is None:
        notes.append("the repository's release version does not change: the changelog is left")
    else:
        _edit_changelog(
            settings, release, repository_tag(settings, monorepo, release), today, texts, notes
        )
    edits = tuple(
        FileEdit(path, before, text)
        for path, text in texts.items()
        if (before := _read(path) if path.exists() else "") != text
    )
    versions = {p.name: (p.version_text, new[p.key]) for p in monorepo.packages if p.key in new}
    locked = keeps_a_lock(monorepo.root)
    if locked:
        notes.append(f"{LOCK_FILE}: `uv lock` runs once the edits are written, to keep it in step")
    return BumpPlan(monorepo.root, versions, release, edits, tuple(notes), relock=locked)


def _packages(settings: Settings, monorepo: Monorepo, name: str | None) -> list[Package]:
    if name is None:
        return list(monorepo.packages)
    if settings.versioning == "lockstep":
        raise BumpError(
            [
                Problem(
                    f"--package {name}: lockstep versioning releases every package at one "
                    "version, so they are bumped together",
                    settings.origin("versioning"),
                    'drop --package, or set versioning = "independent" in [tool.pytest-release]',
                )
            ]
        )
    try:
        return [monorepo.package(name)]
    except KeyError as error:
        raise BumpError(
            [Problem(f"--package {name}: no such package", str(monorepo.root), str(error.args[0]))]
        ) from None


def _new_versions(settings: Settings, chosen: list[Package], given: str) -> dict[str, Version]:
    """The new version of each chosen package, by key; BumpError when one cannot be chosen."""
    unreadable = [p for p in chosen if p.version is None or p.version_place is None]
    if unreadable:
        raise BumpError(_unwritable(p) for p in unreadable)
    current = {p.key: p.version for p in chosen if p.version is not None}
    scheme = settings.version_scheme
    try:
        if settings.versioning == "lockstep":
            found = set(current.values())
            common = found.pop() if len(found) == 1 else None
            if common is None and given in BUMP_PARTS:
                listing = ", ".join(f"{p.name} {p.version_text}" for p in chosen)
                raise BumpRuleError(
                    f"lockstep versioning, but the packages are not at one version ({listing}), "
                    f"so there is no current version to bump by {given!r}; give the version"
                )
            version = chosen_version(given, common or max(current.values()), scheme)
            return dict.fromkeys(current, version)
        return {key: chosen_version(given, version, scheme) for key, version in current.items()}
    except BumpRuleError as error:
        where = ", ".join(p.version_source for p in chosen)
        fix = "pytest-release bump --help lists the forms: major, minor, patch, rc, X.Y.Z"
        raise BumpError([Problem(str(error), where, fix)]) from None


def _unwritable(package: Package) -> Problem:
    if package.computed_version is not None:
        tool = package.computed_version.tool.value
        return Problem(
            f"{package.name}'s version is computed by {tool} from git tags: there is nothing "
            "to bump in a file; the release's tag, which the tag gate makes, is the bump",
            package.version_source,
            "give the new version to the gates: pytest release_tests --release-version X.Y.Z",
        )
    reason = package.version_error or "its version is not written in a file"
    return Problem(
        f"{package.name}'s version cannot be written by pytest-release: {reason}",
        package.version_source,
        "let the tool that owns the version set it (for a version from git tags: tag the "
        'release), or write a static version = "X.Y.Z" under [project]',
    )


def _moved_requirement(
    text: str, owner: Package, new: Mapping[str, Version], problems: list[Problem]
) -> str:
    try:
        key = canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        return text  # the gates report it
    if key not in new or key == owner.key:
        return text
    try:
        return requirement_for(text, new[key])
    except BumpRuleError as error:
        problems.append(
            Problem(
                f"{owner.name} requires {text}: {error}",
                str(owner.pyproject),
                f"edit the range by hand so that it admits {new[key]}",
            )
        )
        return text


def _edit_dunder_versions(
    package: Package, version: str, texts: _Texts, notes: list[str], root: Path
) -> None:
    """The ``__version__ = "..."`` literals of the package's import packages."""
    place = package.version_place
    for dotted in package.import_packages:
        path = module_file(package.folder / "src", dotted) or module_file(package.folder, dotted)
        if path is None or (place is not None and place.path == path):
            continue
        try:
            texts[path] = edited_assignment(
                texts[path], "__version__", package.version_text or "", version
            )
        except UnwritableVersion as error:
            if not str(error).startswith("no module-level"):
                notes.append(f"{relative(path, root)}: left as it is: {error}")
        except SyntaxError:
            notes.append(f"{relative(path, root)}: left as it is: it does not parse")


def _repository_release(
    settings: Settings, monorepo: Monorepo, new: Mapping[str, Version]
) -> Version | None:
    """The version the gates release: the common one, or the top package's (independent)."""
    if settings.versioning == "lockstep":
        return next(iter(new.values()))
    tops = [new[p.key] for p in monorepo.top_packages if p.key in new]
    return tops[0] if tops else None


def _edit_changelog(
    settings: Settings,
    release: Version,
    tag: str | None,
    today: date,
    texts: _Texts,
    notes: list[str],
) -> None:
    if settings.changelog is None:
        return  # changelog = false: the release notes are kept elsewhere
    if settings.changelog_per_package:
        notes.append(f"{settings.changelog}: bump leaves per-package changelogs to you")
        return
    path = settings.root / settings.changelog
    if not path.is_file():
        notes.append(f"no changelog at {settings.changelog}: the changelog gate needs one")
        return
    edited = changelog_with_release(texts[path], release, today, tag)
    texts[path] = edited.text
    notes.extend(f"{settings.changelog}: {note}" for note in edited.notes)
