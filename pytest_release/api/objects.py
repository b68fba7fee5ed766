"""Small questions about griffe objects the API comparison asks: what an alias points to,
where an object is written, how its signature reads (pure)."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from pathlib import Path
from typing import TypeAlias

import griffe

Member: TypeAlias = "griffe.Object | griffe.Alias"


def resolved(member: Member) -> griffe.Object | str:
    """The object ``member`` stands for, or why it cannot be found among the loaded modules
    (a re-export of another project, or of a name its module does not define)."""
    if not isinstance(member, griffe.Alias):
        return member
    try:
        return member.final_target
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return f"{member.target_path} is not among the loaded modules"


def location(member: Member, root: Path) -> tuple[str, int | None]:
    """The file (relative to ``root``, where it was loaded from) and line of ``member``:
    for an alias, the line that imports it."""
    holder: griffe.Object | griffe.Alias | None = member
    if isinstance(member, griffe.Alias):  # its lineno is its target's: not followed here
        holder, line = member.parent, member.alias_lineno
    else:
        line = member.lineno
    try:
        filepath = holder.filepath if holder is not None else None
    except griffe.GriffeError:  # a module without a file: never one loaded from source
        filepath = None
    if isinstance(filepath, list):
        filepath = filepath[0] if filepath else None
    if filepath is None:
        return "", line
    try:
        return filepath.relative_to(root).as_posix(), line
    except ValueError:
        return filepath.as_posix(), line


def describe(member: Member | None) -> str | None:
    """How ``member`` reads in code: a function's or class's signature, an attribute's
    annotation and value; None for no member."""
    if member is None:
        return None
    target = resolved(member)
    if isinstance(target, str):
        return (
            f"{member.name} (from {member.target_path})"
            if isinstance(member, griffe.Alias)
            else member.name
        )
    name = member.name
    if isinstance(target, griffe.Function):
        return target.signature(name=name)
    if isinstance(target, griffe.Class):
        bases = f"({', '.join(str(base) for base in target.bases)})" if target.bases else ""
        init = target.members.get("__init__")
        constructor = f": {init.signature(name=name)}" if isinstance(init, griffe.Function) else ""
        return f"class {name}{bases}{constructor}"
    if isinstance(target, griffe.Attribute):
        annotation = f": {target.annotation}" if target.annotation is not None else ""
        value = f" = {target.value}" if target.value is not None else ""
        return f"{name}{annotation}{value}"
    return f"{target.kind.value} {target.path}"


def walk_modules(module: griffe.Module) -> Iterator[griffe.Module]:
    """``module`` and every module below it."""
    yield module
    for member in module.members.values():  # not `.modules`: it resolves every alias
        if isinstance(member, griffe.Module):
            yield from walk_modules(member)


def from_builtin_base(cls: griffe.Class, name: str) -> bool:
    """Whether ``cls`` gets the member ``name`` from a builtin class it derives from (an
    exception's ``args``, set by ``super().__init__(message)``), which griffe cannot read."""
    try:
        classes = [cls, *cls.mro()]
    except griffe.GriffeError:  # a base class that cannot be resolved
        classes = [cls]
    for klass in classes:
        for base in klass.bases:
            path = base.canonical_path if isinstance(base, griffe.Expr) else base
            builtin = getattr(builtins, path, None) if path.isidentifier() else None
            if isinstance(builtin, type) and hasattr(builtin, name):
                return True
    return False
