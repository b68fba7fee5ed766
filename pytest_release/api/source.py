"""The boundary modules' public API at the last release and at HEAD, read statically.

Each commit's tree comes out of ``git archive`` into a scratch folder (its Python files
only) and griffe reads the modules from there: nothing is imported or installed, and the
target repository is left as it is (no worktree, no checkout, no index change).
"""

from __future__ import annotations

import ast
import os
import tarfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import griffe
from packaging.version import Version

from pytest_release.api.difference import ApiChange, ApiDifference, api_difference
from pytest_release.checks import versions
from pytest_release.problems import Problem
from pytest_release.target import git

if TYPE_CHECKING:
    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import Monorepo

ARCHIVE_SECONDS = 120
_PYTHON_SUFFIXES = (".py", ".pyi")


class ApiSourceError(Exception):
    """A tree or a module could not be read; the message says which and why."""


@dataclass(frozen=True)
class PublicApi:
    """What the api gate and the changelog gate know about the public API boundary."""

    not_compared: str | None  # why nothing was compared: no `public-api`, no release tag
    previous: tuple[Version, str] | None  # the last release and its tag
    differences: Mapping[str, ApiDifference]  # boundary module -> its changes
    problems: Mapping[str, tuple[Problem, ...]]  # boundary module -> why it was not compared

    @property
    def breaking(self) -> list[ApiChange]:
        """Every breaking change found, in the order of ``public-api``."""
        return [change for found in self.differences.values() for change in found.breaking]


def compare_public_api(
    settings: Settings, monorepo: Monorepo, tags: Iterable[str], scratch: Path
) -> PublicApi:
    """Each module of ``public-api`` at the last release tag against HEAD."""
    if not settings.public_api:
        reason = f"no boundary modules: {settings.origin('public-api')} names none"
        return PublicApi(reason, None, {}, {})
    previous = versions.previous_release(tags, settings, monorepo)
    if previous is None:
        top = monorepo.top_packages[0] if monorepo.top_packages else monorepo.packages[-1]
        example = settings.tag.format(version="X.Y.Z", name=top.name)
        reason = f"no previous release to compare with: no tag of the form {example}"
        return PublicApi(reason, None, {}, {})
    differences: dict[str, ApiDifference] = {}
    problems: dict[str, tuple[Problem, ...]] = {}
    missing = [name for name in settings.public_api if monorepo.module_source(name) is None]
    for name in missing:
        problems[name] = (_not_a_module(name, settings, monorepo),)
    try:
        trees = (
            extract_python_files(monorepo.root, previous[1], scratch / "release"),
            extract_python_files(monorepo.root, "HEAD", scratch / "head"),
        )
    except ApiSourceError as error:
        problem = Problem(str(error), str(monorepo.root), "check that git can read the commit")
        return PublicApi(None, previous, {}, dict.fromkeys(settings.public_api, (problem,)))
    bases = source_bases(monorepo)
    internal = {name.partition(".")[0] for p in monorepo.packages for name in p.import_packages}
    for name in settings.public_api:
        if name in problems:
            continue
        try:
            old = load_module(name, trees[0], bases)
            new = load_module(name, trees[1], bases)
        except ApiSourceError as error:
            fix = "fix the module so that Python can parse it"
            problems[name] = (Problem(f"{name} cannot be read: {error}", name, fix),)
            continue
        if new is None:
            problems[name] = (_not_a_module(name, settings, monorepo),)
            continue
        with griffe.logger.disable():
            differences[name] = api_difference(
                old, new, since=previous[1], internal=internal | {name.partition(".")[0]},
                roots=trees,
            )  # fmt: skip
    return PublicApi(None, previous, differences, problems)


def _not_a_module(name: str, settings: Settings, monorepo: Monorepo) -> Problem:
    tops = sorted({top for package in monorepo.packages for top in package.import_packages})
    return Problem(
        f"{name}, a boundary module of {settings.origin('public-api')}, is not a module of "
        f"any package at HEAD (their import packages: {', '.join(tops) or 'none found'})",
        str(settings.config_file),
        "name the module that holds the public API (a dotted import name), or commit it",
    )


def source_bases(monorepo: Monorepo) -> list[Path]:
    """Every package's source folder (``src/`` or the package folder), relative to the
    repository root: griffe's search paths, in which a namespace package spans them all."""
    bases: list[Path] = []
    for package in monorepo.packages:
        folder = package.folder / "src" if (package.folder / "src").is_dir() else package.folder
        bases.append(folder.relative_to(monorepo.root))
    return bases


def extract_python_files(root: Path, ref: str, destination: Path) -> Path:
    """The Python files of ``root``'s folder at commit ``ref``, written below
    ``destination``, which is returned (its paths are those below ``root``)."""
    tar = destination.with_name(f"{destination.name}.tar")  # on disk, not in memory
    destination.mkdir(parents=True, exist_ok=True)
    try:
        git.archive(root, ref, tar, timeout=ARCHIVE_SECONDS)
        with tarfile.open(tar) as archive:
            for member in archive:
                path = PurePosixPath(member.name)
                if not member.isreg() or path.suffix not in _PYTHON_SUFFIXES:
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


def see_namespace_folders(base: Path) -> None:
    """Give each folder of Python files inside a regular package an empty ``__init__.py``.

    Python imports ``pkg/sub/mod.py`` as ``pkg.sub.mod`` when ``pkg/sub`` has no
    ``__init__.py`` (a namespace portion), but griffe skips such a folder inside a regular
    package, and with it whatever the boundary re-exports from there. A sibling
    ``sub.py`` wins over the folder in Python, so that folder is left alone.
    """
    for folder, children, files in os.walk(base):
        here = Path(folder)
        children[:] = [child for child in children if child.isidentifier()]
        if "__init__.py" not in files and "__init__.pyi" not in files:
            continue
        for child in children:
            sub = here / child
            shadowed = any((here / f"{child}{suffix}").exists() for suffix in _PYTHON_SUFFIXES)
            if not shadowed and not (sub / "__init__.pyi").exists():
                (sub / "__init__.py").touch()


def load_module(name: str, tree: Path, bases: Sequence[Path]) -> griffe.Module | None:
    """The module ``name`` read statically from the source folders ``bases`` of ``tree``,
    its aliases resolved among the modules found there; None when no folder holds it."""
    search_paths = [tree / base for base in bases if (tree / base).is_dir()]
    for path in search_paths:
        see_namespace_folders(path)
    reason = "griffe found no module of that name"
    with griffe.logger.disable():
        try:
            found = griffe.load(
                name,
                search_paths=search_paths,
                try_relative_path=False,
                allow_inspection=False,
                store_source=False,
                resolve_aliases=True,
                resolve_external=False,
            )
        except (ModuleNotFoundError, KeyError):
            found = None
        except griffe.GriffeError as error:
            found, reason = None, str(error)
    if isinstance(found, griffe.Module):
        return found
    parts = name.split(".")
    for path in search_paths:
        for file in (
            path.joinpath(*parts[:-1], f"{parts[-1]}.py"),
            path.joinpath(*parts, "__init__.py"),
        ):
            if file.is_file():
                raise ApiSourceError(f"{file.relative_to(tree)}: {_unreadable(file, reason)}")
    return None


def _unreadable(file: Path, reason: str) -> str:
    """Why griffe could not read a module that is there: Python's words for a syntax error."""
    try:
        ast.parse(file.read_bytes(), filename=file.name)
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}"
    return f"cannot be read with its package ({reason})"
