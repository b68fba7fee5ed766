"""What a built wheel or sdist holds, and how it falls short of the release (pure).

Rules on the member lists of the files a build produced (read by ``dist_files``): the
wheel holds the dist's import packages and no tests, bytecode, VCS files or modules of
another package; the sdist holds ``pyproject.toml`` and the license files, and the sources
of every module the tree's import packages have (the wheel is built from it). Every
finding is a ``Problem`` whose fix names the build backend's setting. Nothing here builds,
runs a child process or imports pytest.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from pytest_release.dists.files import SDIST_SPEC, file_where, listed
from pytest_release.problems import Problem

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from pytest_release.dists.files import DistFile
    from pytest_release.target.monorepo import Monorepo, Package

LICENSE_SPEC = "https://packaging.python.org/en/latest/specifications/pyproject-toml/#license-files"
DEFAULT_LICENSE_GLOBS = ("LICENSE*", "LICENCE*", "COPYING*")
VCS_NAMES = frozenset(
    {".git", ".gitignore", ".gitattributes", ".gitmodules", ".hg", ".hgignore", ".hgtags"}
    | {".svn", ".bzr", ".bzrignore"}
)
_MODULE_FILE = re.compile(r"^(?P<stem>[^.]+)(?:\.[^.]+)?\.(?:py|pyi|so|pyd)$")


# --- wheel contents ---------------------------------------------------------------------------


def _module_parts(member: str) -> tuple[str, ...] | None:
    """The import path parts of a wheel member, ``None`` for metadata, scripts and data."""
    parts = PurePosixPath(member).parts
    if not parts or parts[0].endswith(".dist-info"):
        return None
    if parts[0].endswith(".data"):
        return parts[2:] if len(parts) > 2 and parts[1] in ("purelib", "platlib") else None
    return parts


def _provides(parts: tuple[str, ...], dotted: str) -> bool:
    """Whether the file at ``parts`` belongs to the import package or module ``dotted``."""
    names = tuple(dotted.split("."))
    if len(parts) > len(names):
        return parts[: len(names)] == names
    if len(parts) == len(names) and parts[:-1] == names[:-1]:
        match = _MODULE_FILE.match(parts[-1])
        return match is not None and match.group("stem") == names[-1]
    return False


def import_package_problems(package: Package, wheel: DistFile) -> list[Problem]:
    """Every import package of the dist is in its wheel."""
    modules = [parts for parts in map(_module_parts, wheel.members) if parts is not None]
    missing = [
        dotted
        for dotted in package.import_packages
        if not any(_provides(parts, dotted) for parts in modules)
    ]
    if not missing:
        return []
    return [
        Problem(
            what=f"the wheel lacks the import package(s) {listed(missing)} "
            f"(it holds: {listed({parts[0] for parts in modules}) or 'no modules at all'})",
            where=file_where(package, wheel.path),
            fix=f"include them in the wheel: {_include_hint(package)}",
        )
    ]


def stray_file_problems(
    package: Package, others: Sequence[Package], wheel: DistFile
) -> list[Problem]:
    """No tests, bytecode, VCS files or modules of another package of the repo in the wheel."""
    by_reason: dict[str, list[str]] = {}
    foreign: dict[str, list[str]] = {}
    for member in sorted(wheel.members):
        parts = _module_parts(member)
        if parts is None:
            continue
        reason = _stray_reason(parts)
        if reason is not None:
            by_reason.setdefault(reason, []).append(member)
            continue
        owner = _owner(parts, package, others)
        if owner is not None and owner is not package:
            foreign.setdefault(owner.name, []).append(member)
    problems = [
        Problem(
            what=f"the wheel ships {reason}: {listed(members)}",
            where=file_where(package, wheel.path),
            fix=_stray_fix(package, reason, members),
        )
        for reason, members in by_reason.items()
    ]
    problems += [
        Problem(
            what=f"the wheel ships modules of {owner}, another package of the repo: "
            f"{listed(members)}",
            where=file_where(package, wheel.path),
            fix=f"ship only this dist's own import packages ({listed(package.import_packages)}): "
            f"{_include_hint(package)}",
        )
        for owner, members in foreign.items()
    ]
    return problems


def _owner(parts: tuple[str, ...], package: Package, others: Sequence[Package]) -> Package | None:
    """The package whose most specific import package holds the file (``package`` on a tie)."""
    best: tuple[int, bool] = (-1, False)
    owner = None
    for candidate in (package, *others):
        for dotted in candidate.import_packages:
            rank = (dotted.count("."), candidate is package)
            if rank > best and _provides(parts, dotted):
                best, owner = rank, candidate
    return owner


def _stray_reason(parts: tuple[str, ...]) -> str | None:
    if VCS_NAMES.intersection(parts):
        return "version-control files"
    if "__pycache__" in parts or parts[-1].endswith((".pyc", ".pyo")):
        return "compiled bytecode (__pycache__, .pyc)"
    if parts[0] in ("tests", "test") or "tests" in parts[:-1]:
        return "tests"
    return None


def _stray_fix(package: Package, reason: str, members: Sequence[str]) -> str:
    if reason == "tests":
        folders = set()
        for member in members:
            parts = _module_parts(member) or ()
            end = next((i for i, part in enumerate(parts) if part in ("tests", "test")), 0)
            folders.add(".".join(parts[: end + 1]))
        return f"keep the tests out of the wheel: {_exclude_hint(package, sorted(folders))}"
    files = "__pycache__/ and *.pyc" if reason.startswith("compiled") else "VCS files"
    return (
        f"untrack them (git rm -r --cached) and ignore {files} in .gitignore; the release "
        "build copies only the files git lists, so untracked and ignored ones stay out"
    )


def _backend(package: Package) -> str:
    return package.build_backend.split(".", 1)[0].split(":", 1)[0]


def _include_hint(package: Package) -> str:
    return {
        "setuptools": "list them in [tool.setuptools.packages.find] (where/include) "
        "or [tool.setuptools] packages",
        "hatchling": 'list them in [tool.hatch.build.targets.wheel] packages = ["src/<pkg>"]',
        "flit_core": "name the module in [tool.flit.module] name",
        "pdm": "list them in [tool.pdm.build] includes",
        "poetry": 'list them in [tool.poetry] packages = [{include = "<pkg>", from = "src"}]',
    }.get(_backend(package), "configure the build backend to include exactly these packages")


def _exclude_hint(package: Package, dotted: Sequence[str]) -> str:
    """How to keep the test packages ``dotted`` (``["pkg.tests"]``) out of the wheel."""
    patterns = ", ".join(f'"{name}*"' for name in dotted)
    return {
        "setuptools": f"[tool.setuptools.packages.find] exclude = [{patterns}]",
        "hatchling": '[tool.hatch.build.targets.wheel] exclude = ["tests/"], or list only the '
        "import packages in its packages",
        "flit_core": "move them out of the module folder",
        "pdm": '[tool.pdm.build] excludes = ["**/tests"]',
        "poetry": '[tool.poetry] exclude = ["**/tests"]',
    }.get(_backend(package), "configure the build backend to leave them out")


# --- sdist contents ---------------------------------------------------------------------------


def expected_license_files(
    package: Package, project: Mapping[str, Any]
) -> tuple[tuple[str, ...], list[Problem]]:
    """The license files the sdist must hold, relative to the package folder.

    ``license-files`` globs of ``[project]`` when declared (a glob matching no file is a
    problem, PEP 639), plus a ``license = {file = ...}`` table's file; else the
    ``LICENSE*``, ``LICENCE*`` and ``COPYING*`` files in the package folder.
    """
    folder = package.folder
    where = f"{package.name}, pyproject.toml [project]"
    problems: list[Problem] = []
    found: set[str] = set()
    declared = project.get("license-files")
    license_table = project.get("license")
    if isinstance(license_table, dict) and isinstance(license_table.get("file"), str):
        found.add(PurePosixPath(license_table["file"]).as_posix())
    if isinstance(declared, list):
        for pattern in (item for item in declared if isinstance(item, str)):
            try:
                matches = [path for path in folder.glob(pattern) if path.is_file()]
            except (ValueError, NotImplementedError):
                matches = []
            if not matches:
                what = f"license-files pattern {pattern!r} matches no file in {folder.name}/"
                fix = "fix the pattern or add the file; every pattern must match (see "
                problems.append(Problem(what, where, fix + f"{LICENSE_SPEC})"))
            found.update(path.relative_to(folder).as_posix() for path in matches)
    elif not found:
        found.update(
            path.name
            for pattern in DEFAULT_LICENSE_GLOBS
            for path in folder.glob(pattern)
            if path.is_file()
        )
    return tuple(sorted(found)), problems


def sdist_problems(
    package: Package, sdist: DistFile, license_files: Sequence[str]
) -> list[Problem]:
    """The sdist has one top folder holding ``pyproject.toml`` and the license files."""
    where = file_where(package, sdist.path)
    if sdist.top is None:
        return [
            Problem(
                what="the sdist does not unpack into one top folder (name-version/)",
                where=where,
                fix=f"build it with a PEP 517 backend (python -m build --sdist; see {SDIST_SPEC})",
            )
        ]
    problems: list[Problem] = []
    if "pyproject.toml" not in sdist.members:
        problems.append(
            Problem(
                what=f"the sdist lacks {sdist.top}/pyproject.toml, so installers cannot build it",
                where=where,
                fix=f"include pyproject.toml in the sdist: {_sdist_hint(package)}",
            )
        )
    missing = [name for name in license_files if name not in sdist.members]
    if missing:
        problems.append(
            Problem(
                what=f"the sdist lacks the license file(s) {listed(missing)}",
                where=where,
                fix=f'declare them in [project] license-files = ["{missing[0]}"] (PEP 639) '
                f"and include them in the sdist: {_sdist_hint(package)}",
            )
        )
    return problems


def _sdist_hint(package: Package) -> str:
    return {
        "setuptools": "add an `include` line to MANIFEST.in",
        "hatchling": "add it to [tool.hatch.build.targets.sdist] include",
        "flit_core": "add it to [tool.flit.sdist] include",
        "pdm": "add it to [tool.pdm.build] source-includes",
        "poetry": "add it to [tool.poetry] include",
    }.get(_backend(package), "configure the backend's sdist to include it")


def tree_modules(monorepo: Monorepo, package: Package, copy: Path) -> dict[str, str]:
    """The Python sources of the package's import packages in ``copy``, the package folder
    of the copy its sdist was built from: each one's path in the wheel -> its path in the
    sdist. Below an import package's folder only regular packages (``__init__.py``) count,
    and never tests or another package's modules: the files every backend ships."""
    found: dict[str, str] = {}
    others = [other for other in monorepo.packages if other is not package]
    for dotted in package.import_packages:
        source = monorepo.module_source(dotted)
        if source is None or source[0] is not package:
            continue
        below = source[1].relative_to(package.folder)
        top = copy / below
        wheel_top = PurePosixPath(*dotted.split("."))
        if top.is_file():
            pairs = [(wheel_top.with_suffix(top.suffix), below)]
        elif top.is_dir():
            pairs = [
                (wheel_top / path.relative_to(top).as_posix(), path.relative_to(copy))
                for path in _package_sources(top)
            ]
        else:
            pairs = []
        for in_wheel, in_sdist in pairs:
            parts = in_wheel.parts
            if _stray_reason(parts) is None and _owner(parts, package, others) is package:
                found[in_wheel.as_posix()] = in_sdist.as_posix()
    return found


def _package_sources(folder: Path) -> list[Path]:
    """The ``.py`` and ``.pyi`` files of ``folder`` and of its regular subpackages."""
    found: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and (path / "__init__.py").is_file():
            found += _package_sources(path)
        elif path.suffix in (".py", ".pyi") and path.is_file():
            found.append(path)
    return found


def unbuilt_module_problems(
    package: Package, modules: Mapping[str, str], wheel: DistFile, sdist: DistFile
) -> list[Problem]:
    """Every module of ``tree_modules`` is in the wheel, unless the sdist (which the wheel
    is built from) has its source: a backend's wheel settings may leave a module out on
    purpose, but a module the tree has and the sdist lacks is one no install has."""
    shipped = {"/".join(parts) for parts in map(_module_parts, wheel.members) if parts}
    lacking = [
        in_sdist
        for in_wheel, in_sdist in modules.items()
        if in_wheel not in shipped and in_sdist not in sdist.members
    ]
    if not lacking:
        return []
    return [
        Problem(
            what=f"the sdist lacks the sources of modules of the import packages: "
            f"{listed(lacking)}; so the wheel, built from the sdist as every installer "
            "builds it, lacks the modules",
            where=file_where(package, sdist.path),
            fix=f"include their sources in the sdist: {_sdist_hint(package)}",
        )
    ]
