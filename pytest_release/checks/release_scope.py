"""Which packages a release takes. Under independent versioning, a package whose version is
its last release (by its own tags, or, sharing the repository's tag, its version at the
last such tag) and whose files did not change since that tag is not in this release: it is
neither uploaded nor tagged, and its per-package cases skip. Every other package is in it;
one that changed but was not bumped fails the versions gate.

``read_changes`` asks git what changed; the decision (``release_scope``) reads beyond the
tags only a shared-tag package's pyproject.toml at the repository's last tag.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from pytest_release.checks.versions import counted, last_release
from pytest_release.target import git
from pytest_release.target.pyproject import relative

if TYPE_CHECKING:
    from pytest_release.settings import Settings
    from pytest_release.target.git import ChangesSince
    from pytest_release.target.monorepo import Monorepo, Package


class Reason(Enum):
    """Why a package is in the release, or is not."""

    LOCKSTEP = "lockstep versioning releases every package"
    SHARED_TAG = "no tags of its own: it is released with the repository's tag"
    UNREADABLE = "its version cannot be read"
    NEVER_RELEASED = "never released"
    VERSION_MOVED = "its version is not its last release's"
    CHANGED = "changed since its last release"
    UNCHANGED = "unchanged since its last release"
    # unbumped-changes = "leave-out": changed, not bumped, left for a later release
    UNBUMPED = "changed since its last release, not bumped: left for a later release"


@dataclass(frozen=True)
class PackageScope:
    """A package's place in the release: ``reason`` decides it; ``last`` is its last release
    (version, tag) and ``changes`` what changed since, where they were needed."""

    name: str
    version: str | None
    reason: Reason
    last: tuple[Version, str] | None = None
    changes: ChangesSince | None = None

    @property
    def released(self) -> bool:
        return self.reason not in {Reason.UNCHANGED, Reason.UNBUMPED}

    def describe(self) -> str:
        """Why, as ``plan`` and a skipped case say it."""
        if self.last is None:
            return self.reason.value
        last_version, tag = self.last
        if self.reason is Reason.UNCHANGED:
            return f"unchanged since {tag}, still {last_version}"
        if self.reason in {Reason.CHANGED, Reason.UNBUMPED} and self.changes is not None:
            count = counted(self.changes.commits, "commit")
            later = ": left for a later release" if self.reason is Reason.UNBUMPED else ""
            return f"changed since {tag} ({count}), still {last_version}{later}"
        return f"{last_version} -> {self.version} (last tag {tag})"


@dataclass(frozen=True)
class ReleaseScope:
    """Every package's place in the release, in publish order."""

    packages: tuple[PackageScope, ...]

    def of(self, package: Package) -> PackageScope:
        return self._by_name[package.name]

    @cached_property
    def _by_name(self) -> dict[str, PackageScope]:
        """Asked by every per-package case: a lookup, not a walk over the packages."""
        return {scope.name: scope for scope in self.packages}

    def released(self, packages: Iterable[Package]) -> tuple[Package, ...]:
        """Those of ``packages`` this release takes, in their order."""
        names = {scope.name for scope in self.packages if scope.released}
        return tuple(package for package in packages if package.name in names)

    @property
    def left_out(self) -> tuple[PackageScope, ...]:
        return tuple(scope for scope in self.packages if not scope.released)


@dataclass(frozen=True)
class TagBase:
    """A package's last release (version, tag), and what git is asked about it: its files
    below ``folder`` (relative to the root, the ``excluded`` packages nested in it left
    out) since that tag."""

    last: tuple[Version, str]
    folder: str
    excluded: tuple[str, ...]


def tag_bases(settings: Settings, monorepo: Monorepo, tags: Sequence[str]) -> dict[str, TagBase]:
    """By package name: what to ask git, for each package whose last release a tag tells
    (independent versioning only): its own last tag, or for a package sharing the
    repository's tag, its version at the last such tag (``shared_last_release``)."""
    if settings.versioning != "independent":
        return {}
    bases: dict[str, TagBase] = {}
    for package in monorepo.packages:
        if settings.tag.names_package(package.name):
            last = last_release(tags, settings.tag, package.name)
        else:
            last = shared_last_release(settings, monorepo, package, tags)
        if last is None:
            continue
        folder = package.folder
        nested = (
            other.relative_folder(monorepo.root)
            for other in monorepo.packages
            if other.folder != folder and other.folder.is_relative_to(folder)
        )
        bases[package.name] = TagBase(
            last, package.relative_folder(monorepo.root), tuple(sorted(nested))
        )
    return bases


def shared_last_release(
    settings: Settings, monorepo: Monorepo, package: Package, tags: Sequence[str]
) -> tuple[Version, str] | None:
    """For a package without tags of its own, under independent versioning: its version at
    the repository's last tag, with that tag. The tag records the release of the packages
    whose versions moved up to it (the top package's, and those released beside it, as
    opentelemetry-python's 0.65b0 line beside 1.44.0), so a package still at its version
    then was released at it or before. None when that cannot be read: no such tag, no
    package there then, or a version not written in its pyproject.toml."""
    repository = last_release(tags, settings.tag, package.name)
    if repository is None or package.computed_version is not None:
        return None
    path = relative(package.pyproject, monorepo.root)
    text = git.file_at(monorepo.root, repository[1], path)
    try:
        then = tomllib.loads(text or "").get("project", {}).get("version")
        return (Version(then), repository[1]) if isinstance(then, str) else None
    except (tomllib.TOMLDecodeError, InvalidVersion):
        return None


def read_changes(
    settings: Settings, monorepo: Monorepo, tags: Sequence[str]
) -> dict[str, ChangesSince]:
    """What changed in each package since its last tag, where ``release_scope`` needs it
    (the files it ``ships`` only); ``git.GitError`` when git cannot tell."""
    found: dict[str, ChangesSince] = {}
    for name, base in tag_bases(settings, monorepo, tags).items():
        since = git.changes_since(monorepo.root, base.last[1], base.folder, base.excluded)
        shipped = tuple(path for path in since.files if ships(path, base.folder))
        found[name] = git.ChangesSince(shipped, since.commits)
    return found


# At the top of a package's folder, what no sdist or wheel of it is made of: its tests, docs and
# examples, lock files, the repository's own tooling. A change there needs no release.
NOT_SHIPPED_FOLDERS = frozenset(
    {"tests", "test", "testing", "integration_tests", "docs", "doc", "examples", "example"}
    | {"benchmarks", "scripts", ".github"}
)
NOT_SHIPPED_FILES = frozenset({"uv.lock", "poetry.lock", "pdm.lock", "Makefile", "tox.ini"})


def ships(path: str, folder: str) -> bool:
    """Whether the file ``path`` (from the repository's top) of the package in ``folder``
    can be part of what the package ships."""
    below = path if folder in ("", ".") else path.removeprefix(f"{folder.rstrip('/')}/")
    *folders, name = below.split("/")
    if name in NOT_SHIPPED_FILES or name.startswith("."):
        return False
    # Only the package folder's own top level: inside its code, a subpackage named
    # scripts or examples ships like any other.
    return not (folders and folders[0] in NOT_SHIPPED_FOLDERS)


def release_scope(
    settings: Settings,
    monorepo: Monorepo,
    tags: Sequence[str],
    changes: Mapping[str, ChangesSince],
) -> ReleaseScope:
    """Each package's place in the release, from its version, its last tag and ``changes``
    (``read_changes``: by package name, for every package with tags of its own)."""
    bases = tag_bases(settings, monorepo, tags)
    return ReleaseScope(
        tuple(_scope(settings, package, bases, changes) for package in monorepo.packages)
    )


def _scope(
    settings: Settings,
    package: Package,
    bases: Mapping[str, TagBase],
    changes: Mapping[str, ChangesSince],
) -> PackageScope:
    name, text = package.name, package.version_text
    if settings.versioning == "lockstep":
        return PackageScope(name, text, Reason.LOCKSTEP)
    if not settings.tag.names_package(name) and name not in bases:
        return PackageScope(name, text, Reason.SHARED_TAG)
    if package.version is None:
        return PackageScope(name, text, Reason.UNREADABLE)
    if name not in bases:
        return PackageScope(name, text, Reason.NEVER_RELEASED)
    last = bases[name].last
    if package.version != last[0]:
        return PackageScope(name, text, Reason.VERSION_MOVED, last)
    since = changes[name]
    if not since.files:
        return PackageScope(name, text, Reason.UNCHANGED, last, since)
    left = settings.unbumped_changes == "leave-out"
    return PackageScope(name, text, Reason.UNBUMPED if left else Reason.CHANGED, last, since)
