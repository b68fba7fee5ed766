"""The public API of a boundary module at the last release and at HEAD, and what changed
between the two (pure: griffe objects in, changes out; api_source loads them from git).

The boundary's public names: those in ``__all__`` when the module defines it; otherwise
every name not starting with ``_`` that the module defines or re-exports from the
repository's own packages (an import of another project, or of a module, is a use, not a
re-export). Breaking changes are griffe's ``find_breaking_changes`` on those names (removed
or renamed parameters, new required ones, moved positional ones, changed defaults, removed
class members...) plus the names the boundary lost; additive changes are new names, new
optional parameters and new public class members.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import griffe

from pytest_release.api.objects import (
    Member,
    describe,
    from_builtin_base,
    location,
    resolved,
    walk_modules,
)

Level = Literal["breaking", "additive", "none"]
ChangeLevel = Literal["breaking", "additive"]


@dataclass(frozen=True)
class ApiChange:
    """One change of the boundary's API: what it is, where it is, its old and new form."""

    level: ChangeLevel
    name: str  # dotted, relative to the boundary module: "register_step", "Flow.run"
    what: str
    where: str  # file relative to the repository root, and line; a removal's, at the release
    old: str | None  # the signature at the last release
    new: str | None  # the signature at HEAD

    def lines(self) -> list[str]:
        return [
            f"{self.name}: {self.what} ({self.where})",
            *([f"  before: {self.old}"] if self.old else []),
            *([f"  now:    {self.new}"] if self.new else []),
        ]


@dataclass(frozen=True)
class ApiDifference:
    """What changed in one boundary module since the last release."""

    module: str
    since: str  # the tag of the last release
    changes: tuple[ApiChange, ...]
    not_compared: tuple[str, ...] = ()  # names whose definition could not be loaded, and why

    @property
    def breaking(self) -> tuple[ApiChange, ...]:
        return tuple(change for change in self.changes if change.level == "breaking")

    @property
    def additive(self) -> tuple[ApiChange, ...]:
        return tuple(change for change in self.changes if change.level == "additive")

    @property
    def level(self) -> Level:
        return "breaking" if self.breaking else "additive" if self.additive else "none"

    def summary(self) -> str:
        """One line: ``aetherflow.core.api since v0.1.0: 2 breaking, 1 additive``."""
        counts = [f"{len(found)} {level}" for level, found in self._groups() if found]
        return f"{self.module} since {self.since}: {', '.join(counts) or 'no change'}"

    def report(self) -> str:
        """Every change under its kind, and what could not be compared: a JUnit property."""
        lines = [self.summary()]
        for level, found in self._groups():
            if found:
                lines += [f"{level}:", *(f"  {line}" for c in found for line in c.lines())]
        lines += [f"not compared: {reason}" for reason in self.not_compared]
        return "\n".join(lines)

    def _groups(self) -> tuple[tuple[str, tuple[ApiChange, ...]], ...]:
        return (("breaking", self.breaking), ("additive", self.additive))


def public_names(module: griffe.Module, internal: Collection[str]) -> dict[str, Member]:
    """The boundary's public names and their members (see the module's docstring).

    ``internal``: the top-level import names of the repository's packages.
    """
    if module.exports is not None:
        listed = [name if isinstance(name, str) else name.name for name in module.exports]
        return {name: module.members[name] for name in listed if name in module.members}
    return {
        name: member
        for name, member in module.members.items()
        if not name.startswith("_") and _is_own(member, internal)
    }


def _is_own(member: Member, internal: Collection[str]) -> bool:
    """Defined here, or re-exported from the repository's packages; modules are not names."""
    if isinstance(member, griffe.Alias):
        if member.target_path.partition(".")[0] not in internal:
            return False
        target = resolved(member)
        return isinstance(target, str) or not target.is_module
    return not member.is_module


def api_difference(
    old: griffe.Module | None,
    new: griffe.Module,
    *,
    since: str,
    internal: Collection[str],
    roots: tuple[Path, Path],
) -> ApiDifference:
    """The changes of ``new``'s public API against ``old``'s (None: a module new since the
    release). ``roots``: the folders the two trees were loaded from, which stand for the
    repository's root in the file names given."""
    comparison = _Comparison(since, roots)
    old_names = public_names(old, internal) if old is not None else {}
    new_names = public_names(new, internal)
    changes: list[ApiChange] = []
    for name, member in new_names.items():
        if name not in old_names:
            changes.append(comparison.change("additive", name, "new public name", None, member))
    for name, member in old_names.items():
        if name in new_names:
            changes += comparison.additions(name, member, new_names[name])
        else:
            changes.append(comparison.lost(name, member, new))
    if old is not None:
        changes += comparison.breakages(old, new, set(old_names) & set(new_names))
    changes.sort(key=lambda change: (change.level, change.name))
    return ApiDifference(new.path, since, tuple(changes), tuple(comparison.not_compared))


class _Comparison:
    """The two forms of every public name and class member compared, by the paths of their
    definitions, so that griffe's findings are named as the boundary names them."""

    def __init__(self, since: str, roots: tuple[Path, Path]) -> None:
        self.since = since
        self.roots = roots
        self.names: dict[str, str] = {}  # definition path -> name relative to the boundary
        self.forms: dict[str, tuple[griffe.Object, griffe.Object]] = {}
        self.not_compared: list[str] = []

    def change(
        self, level: ChangeLevel, name: str, what: str, old: Member | None, new: Member | None
    ) -> ApiChange:
        """A change located at ``new`` at HEAD, or at ``old`` in the release it is gone from."""
        if new is not None:
            file, line = location(new, self.roots[1])
            where = f"{file}{_at_line(line)}"
        else:
            assert old is not None, "a change has an old or a new form"
            file, line = location(old, self.roots[0])
            where = f"{file}{_at_line(line)} at {self.since}"
        return ApiChange(level, name, what, where, describe(old), describe(new))

    def lost(self, name: str, member: Member, new: griffe.Module) -> ApiChange:
        """A public name the boundary no longer has: not public any more, moved out, or gone."""
        if name in new.members:
            why = "not listed in `__all__`" if new.exports is not None else "a private import"
            return self.change("breaking", name, f"no longer public ({why})", member, None)
        for module in walk_modules(new.package):
            found = module.members.get(name)
            if found is not None and not found.is_alias:
                file, line = location(found, self.roots[1])
                what = f"moved out of {new.path} to {module.path} ({file}, line {line})"
                return self.change("breaking", name, what, member, None)
        return self.change("breaking", name, "removed", member, None)

    def additions(self, name: str, old: Member, new: Member) -> Iterator[ApiChange]:
        """New optional parameters and public class members under a name both sides have."""
        old_target, new_target = resolved(old), resolved(new)
        for target in (old_target, new_target):
            if isinstance(target, str):
                self.not_compared.append(f"{name}: {target}")
            else:
                self.names[target.path] = name
        if isinstance(old_target, str) or isinstance(new_target, str):
            return
        self.forms[name] = (old_target, new_target)
        if isinstance(old_target, griffe.Function) and isinstance(new_target, griffe.Function):
            old_parameters = {parameter.name for parameter in old_target.parameters}
            for parameter in new_target.parameters:
                if parameter.name not in old_parameters and not parameter.required:
                    what = f"new optional parameter `{parameter.name}`"
                    yield self.change("additive", name, what, old_target, new_target)
        elif isinstance(old_target, griffe.Class) and isinstance(new_target, griffe.Class):
            old_members, new_members = _class_members(old_target), _class_members(new_target)
            for member_name, member in new_members.items():
                inner = f"{name}.{member_name}"
                if member_name in old_members:
                    yield from self.additions(inner, old_members[member_name], member)
                else:
                    yield self.change("additive", inner, "new public member", None, member)

    def breakages(
        self, old: griffe.Module, new: griffe.Module, common: Collection[str]
    ) -> Iterator[ApiChange]:
        """griffe's findings under the names both sides have (``lost`` tells the others)."""
        for module in (old, new):
            for name, member in module.members.items():
                member.public = name in common  # griffe honours an explicit `public`
        try:
            found = list(griffe.find_breaking_changes(old, new))
        except griffe.GriffeError as error:
            self.not_compared.append(f"{old.path}: griffe could not compare it ({error})")
            return
        for breakage in found:
            name = self._name_of(breakage.obj.path, old.path)
            if breakage.kind is griffe.BreakageKind.OBJECT_REMOVED:
                if not self._from_builtin_base(name):
                    yield self.change("breaking", name, "removed", breakage.obj, None)
                continue
            old_form, new_form = self.forms.get(name, (None, breakage.obj))
            yield self.change("breaking", name, _explain(breakage), old_form, new_form)

    def _from_builtin_base(self, name: str) -> bool:
        """Whether the class member ``name`` (``Error.args``) is still there at HEAD,
        inherited from a builtin class griffe cannot read."""
        owner, _, member = name.rpartition(".")
        new_owner = self.forms.get(owner, (None, None))[1]
        return isinstance(new_owner, griffe.Class) and from_builtin_base(new_owner, member)

    def _name_of(self, path: str, boundary: str) -> str:
        """``path`` named from the boundary: the longest compared definition it is in."""
        head, tail = path, ""
        while head:
            if head in self.names:
                return self.names[head] + tail
            head, _, last = head.rpartition(".")
            tail = f".{last}{tail}"
        return path.removeprefix(boundary + ".")


def _class_members(cls: griffe.Class) -> dict[str, Member]:
    """Public members, inherited ones included; special methods but ``__init__`` left out."""
    try:
        members = cls.all_members
    except griffe.GriffeError:  # a base class that cannot be resolved
        members = cls.members
    return {
        name: member
        for name, member in members.items()
        if _is_public(member) and (not member.is_special or name == "__init__")
    }


def _is_public(member: Member) -> bool:
    """griffe's answer; by the name for an inherited import it cannot follow."""
    try:
        return member.is_public
    except griffe.GriffeError:
        return not member.name.startswith("_")


def _at_line(line: int | None) -> str:
    return "" if line is None else f", line {line}"


def _explain(breakage: griffe.Breakage) -> str:
    """What a griffe finding means, in the words of the gate's message."""
    old: Any = breakage.old_value
    new: Any = breakage.new_value
    kinds = griffe.BreakageKind
    if breakage.kind is kinds.PARAMETER_REMOVED:
        return f"parameter `{old.name}` was removed (or renamed)"
    if breakage.kind is kinds.PARAMETER_ADDED_REQUIRED:
        return f"new required parameter `{new.name}`"
    if breakage.kind is kinds.PARAMETER_CHANGED_REQUIRED:
        return f"parameter `{old.name}` became required"
    if breakage.kind is kinds.PARAMETER_MOVED:
        return f"positional parameter `{old.name}` moved ({breakage.details})"
    if breakage.kind is kinds.PARAMETER_CHANGED_KIND:
        return f"parameter `{old.name}` changed from {old.kind.value} to {new.kind.value}"
    if breakage.kind is kinds.PARAMETER_CHANGED_DEFAULT:
        return f"the default of `{old.name}` changed from {old.default} to {new.default}"
    if breakage.kind is kinds.OBJECT_CHANGED_KIND:
        return f"changed from a {old.value} to a {new.value}"
    return f"{breakage.kind.value.lower()}: {breakage.explain()}"
