"""The target repo read once: its packages, their internal dependencies, publish order (pure)."""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from itertools import chain
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_release.problems import Problem, render_problems
from pytest_release.target.import_packages import import_packages
from pytest_release.target.pyproject import (
    DEFAULT_BUILD_BACKEND,
    TomlFile,
    load_toml,
    read_project,
    relative,
)
from pytest_release.target.version_source import VersionPlace, read_version

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

PACKAGES_KEY = "[tool.pytest-release] packages"


@dataclass(frozen=True)
class Package:
    """One distribution of the repo, as its ``pyproject.toml`` describes it."""

    name: str
    key: str
    folder: Path
    pyproject: Path
    version_text: str | None
    version_source: str
    version_error: str | None = None
    version_place: VersionPlace | None = field(default=None, compare=False)
    build_backend: str = DEFAULT_BUILD_BACKEND
    dependencies: tuple[Requirement, ...] = ()
    optional_dependencies: Mapping[str, tuple[Requirement, ...]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    scripts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    import_packages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Read-only views, whatever mappings the caller passed in.
        extras = MappingProxyType(dict(self.optional_dependencies))
        object.__setattr__(self, "optional_dependencies", extras)
        object.__setattr__(self, "scripts", MappingProxyType(dict(self.scripts)))

    @property
    def version(self) -> Version | None:
        """``version_text`` parsed, ``None`` when missing or not a valid PEP 440 version."""
        try:
            return None if self.version_text is None else Version(self.version_text)
        except InvalidVersion:
            return None

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        """``dependencies`` followed by every optional dependency, extra by extra."""
        return (*self.dependencies, *chain.from_iterable(self.optional_dependencies.values()))

    def relative_folder(self, root: Path) -> str:
        """The folder relative to ``root`` in POSIX spelling (``"."`` for the root itself)."""
        return relative(self.folder, root)

    @property
    def version_files(self) -> list[Path]:
        """The files the version is written in: the pyproject.toml, and a dynamic
        version's own file."""
        place = self.version_place
        return sorted({self.pyproject, *([place.path] if place else [])})


@dataclass(frozen=True)
class Monorepo:
    """The repo root and its packages in publish order."""

    root: Path
    packages: tuple[Package, ...]

    def package(self, name: str) -> Package:
        """The package named ``name`` in any spelling (``Aetherflow_Core``), else ``KeyError``."""
        key = canonicalize_name(name)
        for package in self.packages:
            if package.key == key:
                return package
        raise KeyError(
            f"{name!r} is not a package of {self.root} ({', '.join(self.publish_order)})"
        )

    def internal_requirements(self, package: Package) -> tuple[Requirement, ...]:
        """Its requirements (optional ones included) naming other packages of this repo."""
        others = {each.key for each in self.packages} - {package.key}
        return tuple(req for req in package.requirements if canonicalize_name(req.name) in others)

    def dependents(self, package: Package) -> tuple[Package, ...]:
        """The packages that require ``package``, in publish order."""
        return tuple(
            other
            for other in self.packages
            if any(
                canonicalize_name(r.name) == package.key for r in self.internal_requirements(other)
            )
        )

    def reachable(
        self,
        starts: Iterable[Package],
        direct: Callable[[Package], Iterable[Package]] | None = None,
    ) -> tuple[Package, ...]:
        """The packages reached from ``starts`` through one or more requirements, in publish
        order; ``direct`` gives a package's own (by default every internal requirement)."""
        step = direct or (lambda p: [self.package(r.name) for r in self.internal_requirements(p)])
        reached: set[str] = set()
        pending = list(starts)
        while pending:
            for dependency in step(pending.pop()):
                if dependency.key not in reached:
                    reached.add(dependency.key)
                    pending.append(dependency)
        return tuple(package for package in self.packages if package.key in reached)

    def module_source(self, name: str) -> tuple[Package, Path] | None:
        """The package whose source tree holds the module ``name``, and its path there
        (``src/`` or flat layout), or None."""
        for package in self.packages:
            for top in package.import_packages:
                if name != top and not name.startswith(f"{top}."):
                    continue
                for base in (package.folder / "src", package.folder):
                    path = base.joinpath(*name.split("."))
                    for candidate in (path, path.with_suffix(".py")):
                        if candidate.exists():
                            return package, candidate
        return None

    @property
    def publish_order(self) -> tuple[str, ...]:
        return tuple(package.name for package in self.packages)

    @property
    def top_packages(self) -> tuple[Package, ...]:
        """Packages no other package depends on (the meta package), in publish order."""
        return tuple(package for package in self.packages if not self.dependents(package))


class MonorepoError(Exception):
    """The repo could not be read; ``problems`` holds every reason found, all at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(render_problems(self.problems))

    def __reduce__(self) -> tuple[type[MonorepoError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))


def reading_problems(reading: Monorepo | MonorepoError) -> tuple[Problem, ...]:
    """Why the target could not be read; nothing when it could."""
    return reading.problems if isinstance(reading, MonorepoError) else ()


def read_monorepo(root: Path, package_patterns: Sequence[str] | None = None) -> Monorepo:
    """Read every package under ``root``; raise ``MonorepoError`` with all problems found.

    ``package_patterns`` (``[tool.pytest-release] packages``) are folders or globs relative to
    ``root``; without them every ``packages/*/pyproject.toml`` is a package, or else the root
    ``pyproject.toml`` is the single one.
    """
    root = Path(root).resolve()
    if isinstance(package_patterns, str):  # one pattern given bare
        package_patterns = [package_patterns]
    problems: list[Problem] = []
    root_pyproject = root / "pyproject.toml"
    root_file = _load(root_pyproject, root, problems) if root_pyproject.is_file() else None
    if package_patterns is None:
        found = root.glob("packages/*/pyproject.toml")
        folders = sorted(path.parent for path in found if path.parent.name[:1] != ".")
        if not folders and root_file is not None and "project" in root_file.data:
            folders = [root]
    else:
        folders = _configured_folders(root, package_patterns, root_file, problems)
    if not folders and not problems:
        problems.append(_no_package(root, package_patterns is not None))
    packages: dict[str, Package] = {}
    for folder in folders:
        pyproject = folder / "pyproject.toml"
        file = root_file if pyproject == root_pyproject else _load(pyproject, root, problems)
        package = None if file is None else _read_package(root, folder, file, problems)
        if package is not None and package.key in packages:
            problems.append(_duplicate(root, packages[package.key], package))
        elif package is not None:
            packages[package.key] = package
    ordered = _publish_order(root, list(packages.values()), problems)
    if problems:
        raise MonorepoError(problems)
    return Monorepo(root=root, packages=ordered)


def _load(path: Path, root: Path, problems: list[Problem]) -> TomlFile | None:
    loaded = load_toml(path, root)
    if isinstance(loaded, Problem):
        problems.append(loaded)
        return None
    return loaded


def _configured_folders(
    root: Path, patterns: Sequence[str], root_file: TomlFile | None, problems: list[Problem]
) -> list[Path]:
    folders: list[Path] = []
    for pattern in patterns:
        located = (
            "pyproject.toml"
            if root_file is None
            else root_file.where(root_file.string_line(pattern))
        )
        fix = f"edit {PACKAGES_KEY} in {root / 'pyproject.toml'}: list package folders or "
        fix += 'globs relative to the repo root, each holding a pyproject.toml, e.g. "packages/*"'
        try:
            if any(char in pattern for char in "*?["):
                matches = sorted(p for p in root.glob(pattern) if p.is_dir() and p.name[:1] != ".")
            else:
                matches = [root / pattern] if (root / pattern).is_dir() else []
        except (ValueError, NotImplementedError):  # empty or absolute pattern
            matches = []
        if not matches:
            what = f"{PACKAGES_KEY} entry {pattern!r} matches no folder under {root}"
            problems.append(Problem(what=what, where=located, fix=fix))
        for match in (match.resolve() for match in matches):
            if not (match / "pyproject.toml").is_file():
                what = f"{PACKAGES_KEY} entry {pattern!r} matches {relative(match, root)}, "
                what += "which has no pyproject.toml"
                problems.append(Problem(what=what, where=located, fix=fix))
            elif match not in folders:
                folders.append(match)
    return folders


def _no_package(root: Path, configured: bool) -> Problem:
    what = f"no package found in {root}: "
    what += (
        f"{PACKAGES_KEY} is empty"
        if configured
        else "no packages/*/pyproject.toml and no [project] table in the root pyproject.toml"
    )
    return Problem(
        what=what,
        where="pyproject.toml",
        fix=f"list the package folders in {root / 'pyproject.toml'}: [tool.pytest-release] "
        'packages = ["libs/*"]; or put each package in packages/<name>/pyproject.toml; '
        "or give the root pyproject.toml a [project] table for a single-package repo",
    )


def _read_package(
    root: Path, folder: Path, file: TomlFile, problems: list[Problem]
) -> Package | None:
    project = read_project(file, problems)
    if project is None:
        return None
    reading = read_version(root, folder, file.data)
    return Package(
        name=project.name,
        key=canonicalize_name(project.name),
        folder=folder,
        pyproject=file.path,
        version_text=reading.text,
        version_source=reading.source,
        version_error=reading.error,
        version_place=reading.place,
        build_backend=project.build_backend,
        dependencies=project.dependencies,
        optional_dependencies=project.optional_dependencies,
        scripts=project.scripts,
        import_packages=import_packages(folder, file.data, project.name),
    )


def _duplicate(root: Path, first: Package, second: Package) -> Problem:
    return Problem(
        what=f"two packages have the distribution name {first.key!r} "
        f"({first.name!r} and {second.name!r}; names compare normalized)",
        where=f"{relative(first.pyproject, root)}, {relative(second.pyproject, root)}",
        fix=f"rename one of them in its [project].name, or drop one folder from {PACKAGES_KEY}",
    )


def _publish_order(
    root: Path, packages: list[Package], problems: list[Problem]
) -> tuple[Package, ...]:
    """Every package after the ones it requires; ties go to the smaller normalized name."""
    by_key = {package.key: package for package in packages}
    unordered = Monorepo(root, tuple(packages))
    edges: dict[str, set[str]] = {
        package.key: {canonicalize_name(r.name) for r in unordered.internal_requirements(package)}
        for package in packages
    }
    cycles = _cycles(edges)
    for cycle in cycles:
        names = [by_key[key].name for key in cycle]
        problems.append(
            Problem(
                what=f"internal dependencies form a cycle: {' -> '.join([*names, names[0]])}; "
                "no publish order puts each package after the packages it requires",
                where=", ".join(relative(by_key[key].pyproject, root) for key in cycle),
                fix=f"break the cycle: drop one requirement in it (for example {names[0]}'s "
                f"requirement on {names[1 % len(names)]}, optional dependencies count too), or "
                "move the shared code into a package that both can require",
            )
        )
    if cycles:
        return ()
    sorter = TopologicalSorter(edges)
    sorter.prepare()
    ready = list(sorter.get_ready())
    heapq.heapify(ready)
    order: list[Package] = []
    while ready:
        next_key = heapq.heappop(ready)
        order.append(by_key[next_key])
        sorter.done(next_key)
        for newly_ready in sorter.get_ready():
            heapq.heappush(ready, newly_ready)
    return tuple(order)


def _cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each package not already named in a cycle found before."""
    cycles: list[list[str]] = []
    named: set[str] = set()
    for start in sorted(edges):
        if start in named:
            continue
        parents: dict[str, str] = {}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if start in edges[node]:
                cycle = [node]
                while cycle[-1] != start:
                    cycle.append(parents[cycle[-1]])
                cycles.append(cycle[::-1])
                named.update(cycle)
                break
            for dependency in sorted(edges[node] - parents.keys()):
                parents[dependency] = node
                queue.append(dependency)
    return cycles
