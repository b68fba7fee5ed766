"""Which packages of the release are installed together, and where a smoke check runs.

The release is installed as its users install it: each top package (one nothing else in the
repo requires) with every package it reaches, in a venv of its own, so that two top packages
that need not co-install (``protobuf~=3.12`` beside ``protobuf>=5``) are two installs, not
one that fails. ``rehearsal-together = true`` says they must co-install: one install of all.
A package that no top package reaches (a cycle of requirements) is installed with the
packages it reaches, under the first of them in publish order.

No pytest here, and nothing run: the installed-release checks take these sets.
"""

from __future__ import annotations

import ast
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pytest_release.target.monorepo import Monorepo, Package


@dataclass(frozen=True)
class InstallSet:
    """The packages installed into one venv: ``tops``, which the install is named after, and
    every package they reach, in publish order."""

    tops: tuple[Package, ...]
    packages: tuple[Package, ...]

    @property
    def named(self) -> str:
        return ", ".join(package.name for package in self.tops)

    def holds(self, packages: Iterable[Package]) -> bool:
        return all(package in self.packages for package in packages)


def install_sets(monorepo: Monorepo, *, together: bool) -> tuple[InstallSet, ...]:
    """One set per top package, or one of every package when ``together`` (see the module
    docstring). A set holds every package its tops require, through any extra, so that the
    installer never has to look for an internal package anywhere else."""
    if together:
        return (InstallSet(monorepo.top_packages or monorepo.packages, monorepo.packages),)

    def required(package: Package) -> tuple[Package, ...]:
        return tuple(monorepo.package(r.name) for r in monorepo.internal_requirements(package))

    sets: list[InstallSet] = []
    covered: set[str] = set()
    for top in (*monorepo.top_packages, *monorepo.packages):
        if top.key in covered:
            continue
        keys = {top.key} | {package.key for package in monorepo.reachable([top], required)}
        packages = tuple(package for package in monorepo.packages if package.key in keys)
        sets.append(InstallSet((top,), packages))
        covered |= keys
    return tuple(sets)


def owners(modules: Iterable[str], packages: Sequence[Package]) -> tuple[Package, ...]:
    """The packages whose import packages hold any of ``modules`` (dotted names)."""
    return tuple(
        package
        for package in packages
        if any(
            module == top or module.startswith(f"{top}.")
            for module in modules
            for top in package.import_packages
        )
    )


def imported_modules(statement: str) -> tuple[str, ...]:
    """The modules a ``python-smoke`` statement imports by name (none when it does not
    parse: run anywhere, it then fails with Python's own message)."""
    try:
        tree = ast.parse(statement)
    except SyntaxError:
        return ()
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.append(node.module)
    return tuple(modules)


def started_script(command: str, packages: Sequence[Package]) -> tuple[Package, ...]:
    """The package whose console script a ``smoke`` command starts (its first word), if
    any."""
    try:
        words = shlex.split(command)
    except ValueError:
        return ()
    return tuple(package for package in packages if words and words[0] in package.scripts)
