"""The target repo read once: its packages, their internal dependencies, publish order (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_release.problems import Problem, render_problems
from pytest_release.target.dependency_graph import publish_order
from pytest_release.target.dynamic_metadata import (
    DynamicMetadataError,
    MetadataReader,
    backend_fields,
    with_backend_metadata,
)
from pytest_release.target.import_packages import import_packages
from pytest_release.target.members import (
    PACKAGES_KEY,
    find_members,
    is_unpublished,
    no_package,
    workspace_requirement_problems,
    workspace_sources,
)
from pytest_release.target.pyproject import (
    DEFAULT_BUILD_BACKEND,
    TomlFile,
    load_toml,
    read_project,
    relative,
)
from pytest_release.target.vcs_version import ComputedVersion, VcsTool, override_environment
from pytest_release.target.version_source import VersionPlace, VersionReading, read_version

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence


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
    # The tool that computes the version at build time (from git tags); the package's
    # version is then the release version, which builds and installs are told.
    computed_version: ComputedVersion | None = None
    build_backend: str = DEFAULT_BUILD_BACKEND
    dependencies: tuple[Requirement, ...] = ()
    optional_dependencies: Mapping[str, tuple[Requirement, ...]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    scripts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    import_packages: tuple[str, ...] = ()
    dynamic_fields: frozenset[str] = frozenset()  # [project] dynamic: what the backend computes

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
    def requirements_by_extra(self) -> tuple[tuple[str | None, Requirement], ...]:
        """Each requirement with the extra that asks for it (None: a required one):
        ``dependencies`` first, then every optional dependency, extra by extra."""
        return (
            *((None, requirement) for requirement in self.dependencies),
            *(
                (extra, requirement)
                for extra, requirements in self.optional_dependencies.items()
                for requirement in requirements
            ),
        )

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        """``dependencies`` followed by every optional dependency, extra by extra."""
        return tuple(requirement for _, requirement in self.requirements_by_extra)

    def relative_folder(self, root: Path) -> str:
        """The folder relative to ``root`` in POSIX spelling (``"."`` for the root itself)."""
        return relative(self.folder, root)

    @property
    def version_override(self) -> dict[str, str]:
        """The variables that tell the tool computing the version at build time (from git
        tags) the release version: for the package's builds, installs and metadata reads."""
        if self.computed_version is None or self.version_text is None:
            return {}
        return override_environment(self.computed_version, self.name, self.version_text)

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
        package = self._by_key.get(canonicalize_name(name))
        if package is not None:
            return package
        raise KeyError(
            f"{name!r} is not a package of {self.root} ({', '.join(self.publish_order)})"
        )

    def internal_requirements_by_extra(
        self, package: Package
    ) -> tuple[tuple[str | None, Requirement], ...]:
        """Its requirements naming other packages of this repo, each with the extra that asks
        for it (None: a required one)."""
        if self._by_key.get(package.key) is package:
            return self._internal_requirements[package.key]
        return self._internal_requirements_of(package)  # a package from elsewhere

    def _internal_requirements_of(
        self, package: Package
    ) -> tuple[tuple[str | None, Requirement], ...]:
        return tuple(
            (extra, requirement)
            for extra, requirement in package.requirements_by_extra
            if canonicalize_name(requirement.name) in self._by_key
            and canonicalize_name(requirement.name) != package.key
        )

    def internal_requirements(self, package: Package) -> tuple[Requirement, ...]:
        """Its requirements (optional ones included) naming other packages of this repo."""
        return tuple(requirement for _, requirement in self.internal_requirements_by_extra(package))

    def internal_dependencies(self, package: Package) -> tuple[Package, ...]:
        """The other packages of this repo it requires outright, extras left out: those it
        is always published after (a cycle through an extra does not stop a release: pip
        installs it)."""
        required = [r for extra, r in self.internal_requirements_by_extra(package) if not extra]
        return tuple(dict.fromkeys(self.package(requirement.name) for requirement in required))

    def dependents(self, package: Package) -> tuple[Package, ...]:
        """The packages that require ``package``, in publish order."""
        return self._dependents.get(package.key, ())

    def reachable(
        self,
        starts: Iterable[Package],
        direct: Callable[[Package], Iterable[Package]] | None = None,
    ) -> tuple[Package, ...]:
        """The packages reached from ``starts`` through one or more requirements, in publish
        order; ``direct`` gives a package's own: by default its internal requirements that
        the publish order puts first (every required one; one of an extra unless it closes
        a cycle, which pip installs all the same)."""
        position = {package.key: index for index, package in enumerate(self.packages)}

        def placed_before(package: Package) -> list[Package]:
            required = (self.package(r.name) for r in self.internal_requirements(package))
            return [each for each in required if position[each.key] < position[package.key]]

        step = direct or placed_before
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
        (``src/`` or flat layout), or None; found once per name (the gates ask per case)."""
        if name not in self._module_sources:
            self._module_sources[name] = self._find_module_source(name)
        return self._module_sources[name]

    def _find_module_source(self, name: str) -> tuple[Package, Path] | None:
        for package in self.packages:
            for top in package.import_packages:
                # In its package, or a module of a namespace folder above it
                # (``langgraph.types`` beside the package ``langgraph.graph``).
                parts = top.split(".")
                prefixes = {".".join(parts[:i]) for i in range(1, len(parts))}
                inside = name == top or name.startswith(f"{top}.")
                if not inside and name.rpartition(".")[0] not in prefixes:
                    continue
                for base in (package.folder / "src", package.folder):
                    path = base.joinpath(*name.split("."))
                    for candidate in (path, path.with_suffix(".py")):
                        if candidate.exists():
                            return package, candidate
        return None

    # The graph's lookups, made once: the gates ask them per case, and a walk per package
    # over every package's requirements would grow with the square of the packages.
    @cached_property
    def _by_key(self) -> dict[str, Package]:
        return {package.key: package for package in self.packages}

    @cached_property
    def _internal_requirements(self) -> dict[str, tuple[tuple[str | None, Requirement], ...]]:
        return {package.key: self._internal_requirements_of(package) for package in self.packages}

    @cached_property
    def _dependents(self) -> dict[str, tuple[Package, ...]]:
        required_by: dict[str, list[Package]] = {package.key: [] for package in self.packages}
        for package in self.packages:
            for key in dict.fromkeys(
                canonicalize_name(r.name) for _, r in self._internal_requirements[package.key]
            ):
                required_by[key].append(package)
        return {key: tuple(packages) for key, packages in required_by.items()}

    @cached_property
    def _module_sources(self) -> dict[str, tuple[Package, Path] | None]:
        return {}

    @property
    def publish_order(self) -> tuple[str, ...]:
        return tuple(package.name for package in self.packages)

    @property
    def top_packages(self) -> tuple[Package, ...]:
        """Packages no other package depends on (the meta package), in publish order."""
        return tuple(package for package in self.packages if not self.dependents(package))

    @property
    def meta_package(self) -> Package:
        """The package whose tags stand for the repository's releases: the first top
        package (the last in publish order when every package is required by another)."""
        return self.top_packages[0] if self.top_packages else self.packages[-1]


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


def read_monorepo(
    root: Path,
    package_patterns: Sequence[str] | None = None,
    release_version: str | None = None,
    metadata_reader: MetadataReader | None = None,
) -> Monorepo:
    """Read every package under ``root``; raise ``MonorepoError`` with all problems found.

    ``package_patterns`` (``[tool.pytest-release] packages``) are folders or globs relative to
    ``root``; without them the packages are found as ``members.find_members`` says: the uv
    workspace's members, else ``packages/*``, else the root project. ``release_version``
    (``--release-version``) is the version of each package whose version is computed from
    git tags at build time. ``metadata_reader`` asks a package's build backend for what
    ``[project] dynamic`` leaves to it (dependencies, a version no file holds); without one,
    such a package is a problem: its place in the publish order would be a guess.
    """
    root = Path(root).resolve()
    if isinstance(package_patterns, str):  # one pattern given bare
        package_patterns = [package_patterns]
    problems: list[Problem] = []
    root_pyproject = root / "pyproject.toml"
    root_file = _load(root_pyproject, root, problems) if root_pyproject.is_file() else None
    members = find_members(root, package_patterns, root_file, problems)
    root_sources = set() if root_file is None else workspace_sources(root_file.data)
    packages: dict[str, Package] = {}
    from_workspace: dict[str, set[str]] = {}  # by package: what uv takes from the workspace
    for folder in members.folders:
        pyproject = folder / "pyproject.toml"
        file = root_file if pyproject == root_pyproject else _load(pyproject, root, problems)
        if file is None or (members.discovered and is_unpublished(file.data)):
            continue
        package = _read_package(root, folder, file, problems, release_version)
        if package is not None and package.key in packages:
            problems.append(_duplicate(root, packages[package.key], package))
        elif package is not None:
            packages[package.key] = package
            from_workspace[package.key] = root_sources | workspace_sources(file.data)
    if not packages and not problems:
        problems.append(no_package(root, configured=package_patterns is not None))
    for key, package in packages.items():
        packages[key] = _completed(root, package, metadata_reader, problems)
    for package in packages.values():
        problems += workspace_requirement_problems(
            root, package, from_workspace[package.key], packages
        )
    ordered = publish_order(Monorepo(root, tuple(packages.values())), problems)
    if problems:
        raise MonorepoError(problems)
    return Monorepo(root=root, packages=ordered)


def _load(path: Path, root: Path, problems: list[Problem]) -> TomlFile | None:
    loaded = load_toml(path, root)
    if isinstance(loaded, Problem):
        problems.append(loaded)
        return None
    return loaded


def _read_package(
    root: Path,
    folder: Path,
    file: TomlFile,
    problems: list[Problem],
    release_version: str | None,
) -> Package | None:
    project = read_project(file, problems)
    if project is None:
        return None
    reading = _at_release(read_version(root, folder, file.data), project.name, release_version)
    return Package(
        name=project.name,
        key=canonicalize_name(project.name),
        folder=folder,
        pyproject=file.path,
        version_text=reading.text,
        version_source=reading.source,
        version_error=reading.error,
        version_place=reading.place,
        computed_version=reading.computed,
        build_backend=project.build_backend,
        dependencies=project.dependencies,
        optional_dependencies=project.optional_dependencies,
        scripts=project.scripts,
        import_packages=import_packages(folder, file.data, project.name),
        dynamic_fields=project.dynamic,
    )


def _completed(
    root: Path, package: Package, reader: MetadataReader | None, problems: list[Problem]
) -> Package:
    """``package`` with what only its build backend can say filled in (a problem when it
    cannot be asked)."""
    fields = backend_fields(package)
    if not fields or (reader is None and fields == ("version",)):
        return package  # an unreadable version says why itself, in the versions gate
    what = f"{package.name}'s {' and '.join(fields)} are computed by its build backend"
    fix = (
        f"make `python -m build --metadata {package.relative_folder(root)}` work, or write "
        "them statically under [project] (and drop them from dynamic)"
    )
    where = f"{relative(package.pyproject, root)} [project] dynamic"
    if reader is None:
        problems.append(Problem(f"{what}, which this command does not ask", where, fix))
        return package
    if package.computed_version is not None and package.version_text is None:
        # The backend would compute the version from git in a copy without git, and fail.
        problems.append(
            Problem(
                f"{what}, which needs its version to answer: {package.version_error}",
                where,
                package.computed_version.fix,
            )
        )
        return package
    try:
        return with_backend_metadata(package, reader(package))
    except DynamicMetadataError as error:
        problems.append(Problem(f"{what}, which could not be asked: {error}", where, fix))
        return package


def _at_release(reading: VersionReading, name: str, release_version: str | None) -> VersionReading:
    """A version computed from git tags at build time is the release version: the release's
    tag does not exist yet (the tag gate makes it), so the tool is told it instead."""
    computed = reading.computed
    if computed is None:
        return reading
    tool = computed.tool.value
    if not computed.overridable:
        error = (
            f"{name}'s version is computed by {tool} from git tags, which has no setting "
            "through which the gates could give it the release version before the release "
            "is tagged (the tag gate tags last)"
        )
    elif computed.tool is VcsTool.HATCH_ENV and computed.variable is None:
        error = f"{name}'s version comes from an environment variable that is not named"
    elif release_version is None:
        error = (
            f"{name}'s version is computed by {tool} at build time, so it is the release "
            "version, which was not given"
        )
    else:
        source = f"{reading.source}: the release version {release_version} (--release-version)"
        return replace(reading, text=release_version, source=source)
    return replace(reading, error=error)


def _duplicate(root: Path, first: Package, second: Package) -> Problem:
    return Problem(
        what=f"two packages have the distribution name {first.key!r} "
        f"({first.name!r} and {second.name!r}; names compare normalized)",
        where=f"{relative(first.pyproject, root)}, {relative(second.pyproject, root)}",
        fix=f"rename one of them in its [project].name, or drop one folder from {PACKAGES_KEY}",
    )
