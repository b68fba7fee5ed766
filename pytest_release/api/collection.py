"""The repository's packages at one commit, read statically by griffe into one collection,
so that a boundary module's re-exports from a sibling package resolve; what griffe cannot
load is recorded as that module's problem, never raised.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import griffe

from pytest_release.api.objects import location
from pytest_release.problems import Problem

PYTHON_SUFFIXES = (".py", ".pyi")
GRIFFE_ISSUES = "https://github.com/mkdocstrings/griffe/issues"


@dataclasses.dataclass(frozen=True)
class LoadedTree:
    """The packages of one commit's tree (``root``), loaded from their source folders."""

    root: Path
    label: str  # which commit, as the gate's messages name it: "at v0.1.0", or "at HEAD"
    search_paths: tuple[Path, ...]
    collection: griffe.ModulesCollection
    failures: Mapping[str, Problem]  # top-level import name -> why griffe could not load it

    def module(self, name: str) -> griffe.Module | Problem | None:
        """The module ``name``; why it cannot be read; None where no folder holds it."""
        top = name.partition(".")[0]
        if top in self.failures:
            return self.failures[top]
        try:
            found = self.collection.get_member(name)
        except (KeyError, griffe.GriffeError):
            found = None
        if isinstance(found, griffe.Module):
            return found
        file = _file_of(self.search_paths, name)
        if file is None:
            return None
        return _unreadable(name, file, self.root, self.label)

    def where(self, file: str, line: int | None) -> str:
        """A place in this tree, as the gate's messages name it (``file`` relative to root)."""
        return f"{file}{f', line {line}' if line is not None else ''} {self.label}"

    def alias_problem(self, module: str, error: griffe.AliasResolutionError) -> Problem:
        """``module`` cannot be read because griffe could not follow the import ``error``
        names: what that import is, where, and why its target is not there."""
        return _alias_problem(module, error, self, self.failures)


def load_tree(
    root: Path,
    bases: Sequence[Path],
    tops: Iterable[str],
    label: str,
    needed: Iterable[str] | None = None,
) -> LoadedTree:
    """The top-level packages of ``tops`` (import names) found in the source folders
    ``bases`` of ``root``, in one collection: those of the modules ``needed`` (all of
    ``tops`` when None) and every one of ``tops`` their modules import from, so that a
    re-export from a sibling package resolves, while a package nothing needed imports (the
    repository's examples, an app) is never read. A package that fails to load for want of
    another is tried again once the others are in."""
    search_paths = tuple(root / base for base in bases if (root / base).is_dir())
    for path in search_paths:
        see_namespace_folders(path)
    loader = griffe.GriffeLoader(
        search_paths=list(search_paths), allow_inspection=False, store_source=False
    )
    known = {top.partition(".")[0] for top in tops}
    wanted = known if needed is None else {name.partition(".")[0] for name in needed}
    done: set[str] = set()  # loaded, or not in this commit (a package new since the release)
    errors: dict[str, griffe.GriffeError] = {}
    with griffe.logger.disable(), _no_git_info():
        while pending := sorted(wanted - done):
            errors = {}
            for top in pending:
                try:
                    loader.load(top, try_relative_path=False)
                except ModuleNotFoundError:
                    pass
                except griffe.GriffeError as error:
                    errors[top] = error
                    continue
                done.add(top)
            before = len(wanted)
            wanted |= _imported_tops(loader.modules_collection) & known
            if len(errors) == len(pending) and len(wanted) == before:
                break  # nothing new loaded, nothing new wanted: the errors stand
        loader.resolve_aliases(implicit=False, external=False)
    tree = LoadedTree(root, label, search_paths, loader.modules_collection, {})
    failures = {top: _load_failure(tree, top, error, errors) for top, error in errors.items()}
    return dataclasses.replace(tree, failures=failures)


@contextlib.contextmanager
def _no_git_info() -> Iterator[None]:
    """griffe asks git, in a child process for each package it loads, which repository
    holds the package (for source links, which the gate never shows): in the scratch copies
    of the trees, outside any repository, that is a process per package for nothing."""
    asks_git = griffe.GitInfo.__dict__["from_package"]
    griffe.GitInfo.from_package = classmethod(lambda cls, package: None)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        griffe.GitInfo.from_package = asks_git  # type: ignore[method-assign]


def _imported_tops(collection: griffe.ModulesCollection) -> set[str]:
    """The top-level packages the loaded modules import from (their imports and aliases,
    read without resolving any)."""
    found: set[str] = set()
    pending = list(collection.members.values())
    while pending:
        module = pending.pop()
        if not isinstance(module, griffe.Module):
            continue
        found |= {path.partition(".")[0] for path in module.imports.values()}
        for member in module.members.values():
            if isinstance(member, griffe.Alias):
                found.add(member.target_path.partition(".")[0])
        pending += module.modules.values()
    return found


def _load_failure(
    tree: LoadedTree, top: str, error: griffe.GriffeError, failed: Collection[str]
) -> Problem:
    """Why griffe could not load the package ``top``: an import it had to follow, or a file."""
    if isinstance(error, griffe.AliasResolutionError):
        return _alias_problem(top, error, tree, failed)
    file = _file_of(tree.search_paths, top)
    if file is None:
        return Problem(
            f"{top} {tree.label} cannot be read: griffe: {error}",
            top,
            f"report it to griffe ({GRIFFE_ISSUES})",
        )
    return _unreadable(top, file, tree.root, tree.label)


def _alias_problem(
    module: str, error: griffe.AliasResolutionError, tree: LoadedTree, failed: Collection[str]
) -> Problem:
    alias = error.alias
    file, line = location(alias, tree.root)
    target, _, name = alias.target_path.rpartition(".")
    top = target.partition(".")[0]
    if top in failed:
        why, fix = f"{top} cannot be read", f"see the problem of {top}"
    elif top in tree.collection:
        why = f"{target} defines no `{name}`"
        fix = f"import `{alias.name}` from the module that defines it"
    else:
        why = f"no package of this repository holds {top}"
        fix = (
            f"if {top} is part of this repository, make the build configuration of the "
            "package that ships it name it (the api gate loads the packages' import "
            f"packages); if {top} is another project, the api gate cannot read {module} "
            "statically: leave it out of `public-api`"
        )
    return Problem(
        f"{module} {tree.label} cannot be read: griffe must follow the import of "
        f"`{alias.name}` from {alias.target_path} to read it, and {why}",
        tree.where(file, line),
        fix,
    )


def _file_of(search_paths: Iterable[Path], name: str) -> Path | None:
    """The file of the module ``name`` in ``search_paths`` (a package's ``__init__``)."""
    parts = name.split(".")
    for path in search_paths:
        for suffix in PYTHON_SUFFIXES:
            for file in (
                path.joinpath(*parts[:-1], f"{parts[-1]}{suffix}"),
                path.joinpath(*parts, f"__init__{suffix}"),
            ):
                if file.is_file():
                    return file
    return None


def _unreadable(name: str, file: Path, root: Path, label: str) -> Problem:
    """A module that is there but was not read: Python's words for a syntax error, or
    griffe's limit when Python parses it."""
    where = f"{file.relative_to(root).as_posix()} {label}"
    try:
        ast.parse(file.read_bytes(), filename=file.name)
    except SyntaxError as error:
        return Problem(
            f"{name} {label} cannot be read: line {error.lineno}: {error.msg}",
            where,
            "fix the module so that Python can parse it",
        )
    return Problem(
        f"{name} {label} cannot be read: Python parses it, but griffe could not load it",
        where,
        f"report it to griffe ({GRIFFE_ISSUES}), or leave the module out of `public-api`",
    )


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
            shadowed = any((here / f"{child}{suffix}").exists() for suffix in PYTHON_SUFFIXES)
            if not shadowed and not (sub / "__init__.pyi").exists():
                (sub / "__init__.py").touch()
