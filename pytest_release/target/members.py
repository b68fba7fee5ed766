"""Which folders of the repository hold its packages, and what the uv workspace says of
them (pure reading).

``[tool.pytest-release] packages`` when it is given; else the uv workspace's members
(``[tool.uv.workspace] members`` less ``exclude``: folders and globs, nested ones too) with
the root project; else every ``packages/*``; else the root project. A folder that a glob
matches is a package only when it holds a ``pyproject.toml`` (``libs/*`` beside a
``libs/sdk-js`` of JavaScript); a folder named outright must hold one. Found without
``packages``, a project that is never released (a uv virtual one: ``[tool.uv] package =
false``, or a root without ``[project]``; one with a ``Private ::`` classifier) is no
package. A requirement that ``[tool.uv.sources]`` takes from the workspace must name a
package found: PyPI has no workspace to take it from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from pytest_release.problems import Problem
from pytest_release.target.pyproject import TomlFile, nested, relative, strings

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from pathlib import Path

    from pytest_release.target.monorepo import Package

PACKAGES_KEY = "[tool.pytest-release] packages"
MEMBERS_KEY = "[tool.uv.workspace] members"
_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Members:
    """The folders that may hold packages, and whether unpublished projects among them are
    left out (they are when the folders were discovered, not listed in ``packages``)."""

    folders: tuple[Path, ...]
    discovered: bool


@dataclass(frozen=True)
class _Listing:
    """A list of package folders: its key, and whether it is uv's (a glob of uv's may
    match nothing, as uv allows)."""

    key: str
    by_uv: bool


_PACKAGES = _Listing(PACKAGES_KEY, by_uv=False)
_MEMBERS = _Listing(MEMBERS_KEY, by_uv=True)


def is_unpublished(data: dict[str, Any]) -> bool:
    """A project that is never released: a uv virtual project, which uv neither builds nor
    installs (``[tool.uv] package = false``; a root without ``[project]`` is never taken for
    a package in the first place), or one with a ``Private ::`` classifier, which PyPI
    refuses ("Private :: Do Not Upload")."""
    classifiers = strings(nested(data, "project").get("classifiers"))
    private = any(classifier.startswith("Private ::") for classifier in classifiers)
    return private or nested(data, "tool", "uv").get("package") is False


def workspace_sources(data: dict[str, Any]) -> set[str]:
    """The names ``[tool.uv.sources]`` takes from the workspace (``{ workspace = true }``,
    alone or among sources chosen by marker), normalized."""
    sources = nested(data, "tool", "uv", "sources")
    return {
        canonicalize_name(name)
        for name, source in sources.items()
        if any(
            isinstance(each, dict) and each.get("workspace") is True
            for each in (source if isinstance(source, list) else [source])
        )
    }


def find_members(
    root: Path,
    patterns: Sequence[str] | None,
    root_file: TomlFile | None,
    problems: list[Problem],
) -> Members:
    """The folders holding the repository's packages; flaws of the lists are appended to
    ``problems``."""
    if patterns is not None:
        folders = _matching(root, patterns, (), _PACKAGES, root_file, problems)
        return Members(tuple(folders), discovered=False)
    data = {} if root_file is None else root_file.data
    root_project = [root] if "project" in data else []
    workspace = nested(data, "tool", "uv", "workspace")
    if "members" in workspace:
        members, exclude = strings(workspace["members"]), strings(workspace.get("exclude"))
        folders = _matching(root, members, exclude, _MEMBERS, root_file, problems)
        return Members((*root_project, *folders), discovered=True)
    found = root.glob("packages/*/pyproject.toml")
    folders = sorted(path.parent for path in found if path.parent.name[:1] != ".")
    return Members(tuple(folders or root_project), discovered=True)


def no_package(root: Path, *, configured: bool) -> Problem:
    """Nothing was found to release: how to say where the packages are."""
    what = f"no package found in {root}: "
    what += (
        f"{PACKAGES_KEY} is empty"
        if configured
        else f"none among the {MEMBERS_KEY} (one with [tool.uv] package = false or a Private :: "
        "classifier is none), no packages/*/pyproject.toml, and no [project] table in the root "
        "pyproject.toml"
    )
    return Problem(
        what=what,
        where="pyproject.toml",
        fix=f"list the package folders in {root / 'pyproject.toml'}: [tool.pytest-release] "
        'packages = ["libs/*"]; or put each package in packages/<name>/pyproject.toml; '
        "or give the root pyproject.toml a [project] table for a single-package repo",
    )


def workspace_requirement_problems(
    root: Path, package: Package, from_workspace: set[str], packages: Collection[str]
) -> list[Problem]:
    """A requirement uv takes from the workspace (``{ workspace = true }``) must name a
    package of the release: PyPI has no workspace to take it from."""
    return [
        Problem(
            what=f"{package.name} requires {requirement}, which [tool.uv.sources] takes from "
            f"the workspace, but {requirement.name} is not among the packages found",
            where=relative(package.pyproject, root),
            fix=f"make {requirement.name} a package of the release (a member of "
            f"{MEMBERS_KEY} or a folder of {PACKAGES_KEY}, neither virtual nor Private ::), "
            f"or drop the requirement from {package.name}",
        )
        for _, requirement in package.requirements_by_extra
        if (key := canonicalize_name(requirement.name)) in from_workspace
        and key not in packages
        and key != package.key
    ]


def _matching(
    root: Path,
    patterns: Sequence[str],
    exclude: Sequence[str],
    listing: _Listing,
    root_file: TomlFile | None,
    problems: list[Problem],
) -> list[Path]:
    """The folders holding a pyproject.toml that ``patterns`` name or match, less those
    ``exclude`` does; an entry that names a folder without one is a problem."""
    excluded = {folder for pattern in exclude for folder in _folders(root, pattern)}
    folders: list[Path] = []
    for pattern in patterns:
        matches = _folders(root, pattern)
        kept = [folder for folder in matches if folder not in excluded]
        holding = [folder for folder in kept if (folder / "pyproject.toml").is_file()]
        what = _entry_problem(root, pattern, listing, matches, kept, holding)
        if what is not None:
            line = None if root_file is None else root_file.string_line(pattern)
            located = "pyproject.toml" if root_file is None else root_file.where(line)
            problems.append(Problem(what, located, _fix(root, listing)))
        folders += [folder for folder in holding if folder not in folders]
    return folders


def _folders(root: Path, pattern: str) -> list[Path]:
    """The folders ``pattern`` names or matches below ``root``, hidden ones left out."""
    try:
        if _GLOB_CHARACTERS & set(pattern):
            found = sorted(path for path in root.glob(pattern) if path.is_dir())
            return [path.resolve() for path in found if path.name[:1] != "."]
        path = root / pattern
    except (ValueError, NotImplementedError):  # an empty or absolute pattern
        return []
    return [path.resolve()] if path.is_dir() else []


def _entry_problem(
    root: Path,
    pattern: str,
    listing: _Listing,
    matches: list[Path],
    kept: list[Path],
    holding: list[Path],
) -> str | None:
    """What is wrong with an entry of the list, if anything: a folder named outright that is
    missing or holds no pyproject.toml; in ``packages``, a glob matching no package."""
    entry = f"{listing.key} entry {pattern!r}"
    if _GLOB_CHARACTERS & set(pattern):
        if holding or listing.by_uv:
            return None
        what = f"{entry} matches no folder with a pyproject.toml under {root}"
        others = ", ".join(relative(folder, root) for folder in kept)
        return f"{what} (it matches {others})" if others else what
    if not matches:
        return f"{entry} names no folder under {root}"
    if kept and not holding:
        return f"{entry} names {relative(kept[0], root)}, which has no pyproject.toml"
    return None


def _fix(root: Path, listing: _Listing) -> str:
    fix = f"edit {listing.key} in {root / 'pyproject.toml'}: list package folders or globs "
    fix += 'relative to the repo root, each folder holding a pyproject.toml, e.g. "packages/*"'
    if listing.by_uv:
        fix += f", or list the packages to release in {PACKAGES_KEY}"
    return fix
