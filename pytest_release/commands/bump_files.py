"""Rewrite a version where it is written: a TOML value (tomlkit, so every other byte stays),
a Python literal, a regular expression's match, or a whole file (pure: text in, text out)."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any

import tomlkit
from tomlkit.items import String

if TYPE_CHECKING:
    from collections.abc import Callable

    from pytest_release.target.version_source import VersionPlace


class UnwritableVersion(ValueError):
    """The version is not written as a literal this module can replace; the message says why."""


def _string_like(written: object, value: str) -> String:
    """``value`` as a TOML string quoted the way ``written`` was (basic or literal)."""
    if isinstance(written, String):
        return tomlkit.string(
            value, literal=written.type.is_literal(), multiline=written.type.is_multiline()
        )
    return tomlkit.string(value)


def edited_pyproject(
    text: str,
    version_key: tuple[str, ...],
    version: str | None,
    requirement: Callable[[str], str],
) -> str:
    """``text`` with the value at ``version_key`` set to ``version`` (unless None) and every
    ``[project]`` dependency and optional dependency replaced by ``requirement(it)``."""
    document = tomlkit.parse(text)
    if version is not None and version_key:
        container: Any = document
        for key in version_key[:-1]:
            container = container[key]
        container[version_key[-1]] = _string_like(container[version_key[-1]], version)
    project: Any = document.get("project", {})
    extras: Any = project.get("optional-dependencies", {})
    arrays = [project.get("dependencies", []), *extras.values()]
    for array in arrays:
        for index, item in enumerate(array):
            if isinstance(item, str) and (new := requirement(str(item))) != str(item):
                array[index] = _string_like(item, new)
    return tomlkit.dumps(document)


def edited_assignment(text: str, name: str, old: str, new: str) -> str:
    """``text`` with the module-level ``name = "old"`` now ``name = "new"``, quotes kept."""
    tree = ast.parse(text)
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if not any(isinstance(t, ast.Name) and t.id == name for t in targets):
            continue
        value = getattr(node, "value", None)
        if not (isinstance(value, ast.Constant) and value.value == old):
            raise UnwritableVersion(f"{name} is not written as the string literal {old!r}")
        start = _offset(text, value.lineno, value.col_offset)
        end = _offset(text, value.end_lineno or value.lineno, value.end_col_offset or 0)
        literal = text[start:end]
        if literal.count(old) != 1:
            raise UnwritableVersion(f"{name} = {literal} does not spell {old!r} plainly")
        return text[:start] + literal.replace(old, new) + text[end:]
    raise UnwritableVersion(f"no module-level {name} = {old!r}")


def _offset(text: str, line: int, utf8_column: int) -> int:
    """The character offset of ``ast``'s (line, UTF-8 byte column) in ``text``."""
    lines = text.splitlines(keepends=True)
    before = sum(len(each) for each in lines[: line - 1])
    return before + len(lines[line - 1].encode("utf-8")[:utf8_column].decode("utf-8"))


def edited_match(text: str, pattern: str, group: int | str, old: str, new: str) -> str:
    """``text`` with the ``group`` of ``pattern``'s first match (which reads ``old``) now
    ``new``: hatch's and pdm's ``path`` version files, read with the same pattern."""
    match = re.search(pattern, text, flags=re.MULTILINE)
    if match is None or match.group(group) != old:
        raise UnwritableVersion(f"the version pattern no longer finds {old!r}")
    return text[: match.start(group)] + new + text[match.end(group) :]


def edited_whole_file(text: str, old: str, new: str) -> str:
    """A file that holds nothing but the version (setuptools' ``{file = "VERSION"}``)."""
    if text.strip() != old:
        raise UnwritableVersion(f"the file holds more than the version {old!r}")
    return text.replace(old, new, 1)


def edited_version_file(text: str, place: VersionPlace, old: str, new: str) -> str:
    """The version file of a dynamic version (not a pyproject.toml), rewritten."""
    if place.assignment is not None:
        return edited_assignment(text, place.assignment, old, new)
    if place.pattern is not None:
        return edited_match(text, place.pattern, place.group, old, new)
    return edited_whole_file(text, old, new)
