"""The boundary modules' public API at the last release and at HEAD, read statically.

Each boundary module is compared with the last release of the package that ships it (by
that package's own tag form). Each commit's tree comes out of ``git archive`` of the
packages' source paths only into a scratch folder (their Python files) and griffe reads
every package of the repository from there into one collection: nothing is imported or
installed, and the target repository is left as it is (no worktree, no checkout, no index
change). What cannot be read is the boundary module's own problem, never an error.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeAlias

import griffe
from packaging.version import Version

from pytest_release.api.collection import GRIFFE_ISSUES, PYTHON_SUFFIXES, LoadedTree, load_tree
from pytest_release.api.difference import ApiChange, ApiDifference, api_difference
from pytest_release.checks import versions
from pytest_release.problems import Problem
from pytest_release.target import git

if TYPE_CHECKING:
    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import Monorepo, Package

ARCHIVE_SECONDS = 120
HEAD = "HEAD"


class ApiSourceError(Exception):
    """A commit's tree could not be read; the message says which and why."""


@dataclass(frozen=True)
class Compared:
    """A boundary module compared with the last release of the package that ships it."""

    package: str  # the dist name
    previous: tuple[Version, str]  # that package's last release and its tag
    difference: ApiDifference


@dataclass(frozen=True)
class NotCompared:
    """Nothing to compare: the boundary module's package has no release tag yet."""

    reason: str


@dataclass(frozen=True)
class Unreadable:
    """The boundary module could not be read or compared: why, where, the fix."""

    problems: tuple[Problem, ...]


Boundary: TypeAlias = "Compared | NotCompared | Unreadable"


@dataclass(frozen=True)
class PublicApi:
    """What the api gate and the changelog gate know about the public API boundary."""

    not_compared: str | None  # why nothing was compared at all: no `public-api`
    boundaries: Mapping[str, Boundary]  # boundary module -> its comparison

    @property
    def differences(self) -> dict[str, ApiDifference]:
        """What changed in each boundary module that was compared, in the order of
        ``public-api``."""
        return {
            name: found.difference
            for name, found in self.boundaries.items()
            if isinstance(found, Compared)
        }

    @property
    def breaking(self) -> list[ApiChange]:
        """Every breaking change found, in the order of ``public-api``."""
        return [change for found in self.differences.values() for change in found.breaking]


def compare_public_api(
    settings: Settings, monorepo: Monorepo, tags: Iterable[str], scratch: Path
) -> PublicApi:
    """Each module of ``public-api`` at the last release tag of its package against HEAD."""
    if not settings.public_api:
        reason = f"no boundary modules: {settings.origin('public-api')} names none"
        return PublicApi(reason, {})
    tags = list(tags)
    places: dict[str, tuple[Package, tuple[Version, str]]] = {}
    boundaries: dict[str, Boundary] = {}
    for name in settings.public_api:
        source = monorepo.module_source(name)
        if source is None:
            boundaries[name] = Unreadable((_not_a_module(name, settings, monorepo),))
            continue
        package = source[0]
        previous = versions.last_release(tags, settings.tag, package.name)
        if previous is None:
            example = settings.tag.format(name=package.name, version="X.Y.Z")
            boundaries[name] = NotCompared(
                f"no release of {package.name} to compare with: no tag of the form {example}"
            )
        else:
            places[name] = (package, previous)
    trees = _Trees(monorepo, scratch, needed=list(places))
    for name, (package, previous) in places.items():
        boundaries[name] = trees.compare(name, package, previous)
    return PublicApi(None, {name: boundaries[name] for name in settings.public_api})


class _Trees:
    """The repository's packages at each commit asked for, archived and loaded once."""

    def __init__(self, monorepo: Monorepo, scratch: Path, needed: list[str]) -> None:
        self.root = monorepo.root
        self.needed = needed  # the boundary modules compared: what each tree must hold
        self.scratch = scratch
        self.bases = source_bases(monorepo)
        self.tops = sorted({name for p in monorepo.packages for name in p.import_packages})
        self.paths = package_paths(self.bases, self.tops)
        self.loaded: dict[str, LoadedTree | Problem] = {}

    def at(self, ref: str) -> LoadedTree | Problem:
        if ref not in self.loaded:
            label = "at HEAD" if ref == HEAD else f"at {ref}"
            try:
                folder = extract_python_files(
                    self.root, ref, self.scratch / f"tree-{len(self.loaded)}", self.paths
                )
            except ApiSourceError as error:
                problem = Problem(str(error), str(self.root), "check that git can read the commit")
                self.loaded[ref] = problem
            else:
                self.loaded[ref] = load_tree(folder, self.bases, self.tops, label, self.needed)
        return self.loaded[ref]

    def compare(self, name: str, package: Package, previous: tuple[Version, str]) -> Boundary:
        """``name`` at ``previous``'s tag against HEAD; whatever griffe cannot do with it is
        the module's own problem."""
        try:
            return self._compare(name, package, previous)
        except griffe.GriffeError as error:
            problem = Problem(
                f"{name} cannot be compared: griffe: {error}",
                name,
                f"report it to griffe ({GRIFFE_ISSUES}), or leave the module out of `public-api`",
            )
            return Unreadable((problem,))

    def _compare(self, name: str, package: Package, previous: tuple[Version, str]) -> Boundary:
        old_tree, new_tree = self.at(previous[1]), self.at(HEAD)
        if isinstance(old_tree, Problem) or isinstance(new_tree, Problem):
            return Unreadable(tuple(t for t in (old_tree, new_tree) if isinstance(t, Problem)))
        old, new = old_tree.module(name), new_tree.module(name)
        if isinstance(old, Problem) or isinstance(new, Problem):
            return Unreadable(tuple(f for f in (old, new) if isinstance(f, Problem)))
        if new is None:
            return Unreadable((_not_committed(name),))
        internal = {top.partition(".")[0] for top in self.tops} | {name.partition(".")[0]}
        try:
            with griffe.logger.disable():
                difference = api_difference(
                    old, new, since=previous[1], internal=internal,
                    roots=(old_tree.root, new_tree.root),
                )  # fmt: skip
        except griffe.AliasResolutionError as error:
            tree = old_tree if _is_below(error.alias, old_tree.root) else new_tree
            return Unreadable((tree.alias_problem(name, error),))
        return Compared(package.name, previous, difference)


def _is_below(alias: griffe.Alias, root: Path) -> bool:
    parent = alias.parent
    filepath = parent.filepath if isinstance(parent, griffe.Module) else None
    return isinstance(filepath, Path) and filepath.is_relative_to(root)


def _not_a_module(name: str, settings: Settings, monorepo: Monorepo) -> Problem:
    tops = sorted({top for package in monorepo.packages for top in package.import_packages})
    return Problem(
        f"{name}, a boundary module of {settings.origin('public-api')}, is not a module of "
        f"any package at HEAD (their import packages: {', '.join(tops) or 'none found'})",
        str(settings.config_file),
        "name the module that holds the public API (a dotted import name), or commit it",
    )


def _not_committed(name: str) -> Problem:
    return Problem(
        f"{name}, a boundary module, is in the work tree but not in the HEAD commit",
        name,
        "commit it, and run the gates again",
    )


def source_bases(monorepo: Monorepo) -> list[Path]:
    """Every package's source folder (``src/`` or the package folder), relative to the
    repository root: griffe's search paths, in which a namespace package spans them all."""
    bases: list[Path] = []
    for package in monorepo.packages:
        folder = package.folder / "src" if (package.folder / "src").is_dir() else package.folder
        bases.append(folder.relative_to(monorepo.root))
    return bases


def package_paths(bases: Iterable[Path], tops: Iterable[str]) -> list[str]:
    """The paths below the repository root that may hold the import packages ``tops`` in
    the source folders ``bases``: each one's folder or module, and the ``__init__`` files
    of the folders above it (a package's parent may be a regular package)."""
    paths: list[str] = []
    for base in dict.fromkeys(bases):
        for top in tops:
            parts = top.split(".")
            folder = PurePosixPath(base.as_posix(), *parts)
            paths += [folder.as_posix(), *(f"{folder}{suffix}" for suffix in PYTHON_SUFFIXES)]
            for depth in range(1, len(parts)):
                above = PurePosixPath(base.as_posix(), *parts[:depth])
                paths += [f"{above}/__init__{suffix}" for suffix in PYTHON_SUFFIXES]
    return list(dict.fromkeys(paths))


def extract_python_files(root: Path, ref: str, destination: Path, paths: list[str]) -> Path:
    """The Python files of ``paths`` (below ``root``) at commit ``ref``, written below
    ``destination``, which is returned (its paths are those below ``root``)."""
    tar = destination.with_name(f"{destination.name}.tar")  # on disk, not in memory
    destination.mkdir(parents=True, exist_ok=True)
    try:
        git.archive(root, ref, tar, paths=paths, timeout=ARCHIVE_SECONDS)
        with tarfile.open(tar) as archive:
            for member in archive:
                path = PurePosixPath(member.name)
                if not member.isreg() or path.suffix not in PYTHON_SUFFIXES:
                    continue
                if path.is_absolute() or ".." in path.parts:
                    continue
                source = archive.extractfile(member)
                if source is not None:
                    target = destination.joinpath(*path.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(source.read())
    except git.GitError as error:
        raise ApiSourceError(f"`git archive {ref}` failed: {error}") from None
    finally:
        tar.unlink(missing_ok=True)
    return destination.resolve()
