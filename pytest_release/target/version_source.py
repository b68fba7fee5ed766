"""Read a package's version statically, static or dynamic, without importing or building it."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_release.target.pyproject import nested, relative, strings, table
from pytest_release.target.vcs_version import ComputedVersion, computed_version

_HATCH_PATTERN = r'(?i)^(__version__|VERSION) *= *([\'"])v?(?P<version>.+?)\2'
_PDM_PATTERN = r"^__version__\s*=\s*[\"'](.+?)[\"']\s*(?:#.*)?$"
_READABLE = (
    '[tool.setuptools.dynamic] version = {file = "VERSION"} or {attr = "pkg.__version__"}, '
    '[tool.hatch.version] path = "src/pkg/__about__.py", [tool.pdm.version] source = "file", '
    "or flit's __version__ in the module"
)


@dataclass(frozen=True)
class VersionPlace:
    """Where a version is written, precisely enough for ``pytest-release bump`` to rewrite it.

    One of: a TOML value (``toml_key``), a module-level ``NAME = "..."`` (``assignment``),
    a regular expression whose ``group`` is the version (hatch's and pdm's ``path``), or
    else the whole file (setuptools' ``version = {file = "VERSION"}``).
    """

    path: Path
    toml_key: tuple[str, ...] = ()
    assignment: str | None = None
    pattern: str | None = None
    group: int | str = 0


@dataclass(frozen=True)
class VersionReading:
    """The version as written (``text``), where it came from, or why it could not be read.

    ``place`` is where a tool may write a new version; None when no file holds it.
    ``computed``: the tool that computes it at build time (from git tags), when one does;
    ``text`` is then None, and the release version is the package's.
    """

    text: str | None
    source: str
    error: str | None = None
    place: VersionPlace | None = None
    computed: ComputedVersion | None = None


class _Unreadable(Exception):
    """The dynamic source was found but gives no version without running code."""


def read_version(root: Path, folder: Path, data: dict[str, Any]) -> VersionReading:
    """The version of the project described by ``data`` (the parsed ``folder/pyproject.toml``)."""
    rel = relative(folder / "pyproject.toml", root)
    project = table(data, "project")
    version, dynamic = project.get("version"), strings(project.get("dynamic"))
    if "version" not in dynamic:
        if isinstance(version, str):
            place = VersionPlace(folder / "pyproject.toml", toml_key=("project", "version"))
            return VersionReading(version, f"{rel} [project] version", place=place)
        problem = "is not a string" if version is not None else "is missing"
        return VersionReading(
            None,
            f"{rel} [project]",
            f"[project].version in {rel} {problem} and 'version' is not in [project].dynamic; "
            'write the version as a string under [project], e.g. version = "1.0.0"',
        )
    if version is not None:
        return VersionReading(
            None,
            f"{rel} [project] version",
            f"{rel} sets [project].version and also lists 'version' in [project].dynamic, "
            "which build backends reject; keep only one of them",
        )
    if computed := computed_version(data):
        return VersionReading(
            None, f"{rel}: computed by {computed.tool.value} at build time", computed=computed
        )
    try:
        return _read_dynamic(root, folder, data)
    except _Unreadable as error:
        return VersionReading(
            None,
            f"{rel} [project] dynamic",
            f"{rel} declares a dynamic version that cannot be read without building it: "
            f'{error}; make it static (version = "X.Y.Z" under [project], and drop '
            f'"version" from dynamic) or read it from a file: {_READABLE}',
        )


def _read_dynamic(root: Path, folder: Path, data: dict[str, Any]) -> VersionReading:
    tool = table(data, "tool")
    backend = table(data, "build-system").get("build-backend", "")
    setuptools = nested(tool, "setuptools", "dynamic")
    if "version" in setuptools:
        return _setuptools(root, folder, tool, setuptools["version"])
    if "version" in table(tool, "hatch"):
        return _hatch(root, folder, table(tool["hatch"], "version"))
    if "version" in table(tool, "pdm"):
        return _pdm(root, folder, table(tool["pdm"], "version"))
    if isinstance(backend, str) and backend.startswith(("flit_core", "flit.")):
        name = nested(tool, "flit", "module").get("name")
        module = name if isinstance(name, str) else str(table(data, "project").get("name", ""))
        return _flit(root, folder, module.replace("-", "_"))
    poetry = table(tool, "poetry")
    if isinstance(poetry.get("version"), str):
        place = VersionPlace(folder / "pyproject.toml", toml_key=("tool", "poetry", "version"))
        source = f"{relative(folder, root)}/pyproject.toml [tool.poetry] version"
        return VersionReading(poetry["version"], source, place=place)
    raise _Unreadable(
        "no supported source was found ([tool.setuptools.dynamic] version, "
        "[tool.hatch.version], [tool.pdm.version], flit's module __version__)"
    )


def _setuptools(root: Path, folder: Path, tool: dict[str, Any], spec: object) -> VersionReading:
    spec = spec if isinstance(spec, dict) else {}
    if "file" in spec:
        paths = [folder / name for name in strings(spec["file"])]
        missing = [relative(path, root) for path in paths if not path.is_file()]
        if not paths or missing:
            raise _Unreadable(f"[tool.setuptools.dynamic] version names missing files {missing}")
        text = "\n".join(_read_text(root, path).strip() for path in paths)
        place = VersionPlace(paths[0]) if len(paths) == 1 else None
        return VersionReading(
            text.strip(), ", ".join(relative(path, root) for path in paths), place=place
        )
    attr = spec.get("attr")
    if not isinstance(attr, str) or "." not in attr:
        raise _Unreadable(f"[tool.setuptools.dynamic] version = {spec!r} is neither file nor attr")
    module, name = attr.rsplit(".", 1)
    package_dir = nested(tool, "setuptools", "package-dir")
    first, _, rest = module.partition(".")
    bases = [(folder / str(package_dir[first]), rest)] if first in package_dir and rest else []
    bases += [(folder / str(package_dir.get("", ".")), module), (folder / "src", module)]
    for base, dotted in bases:
        if path := module_file(base, dotted):
            return _assigned(root, path, name)
    raise _Unreadable(f"[tool.setuptools.dynamic] version = {{attr = {attr!r}}}: module not found")


def _hatch(root: Path, folder: Path, settings: dict[str, Any]) -> VersionReading:
    source = settings.get("source", "regex")
    if source != "regex":
        raise _Unreadable(f'[tool.hatch.version] source = "{source}" computes it at build time')
    path = settings.get("path")
    if not isinstance(path, str):
        raise _Unreadable("[tool.hatch.version] has no path")
    custom = settings.get("pattern")
    pattern = custom if isinstance(custom, str) else _HATCH_PATTERN
    return _matched(root, folder / path, pattern, "version", "[tool.hatch.version] path")


def _pdm(root: Path, folder: Path, settings: dict[str, Any]) -> VersionReading:
    source, path = settings.get("source"), settings.get("path")
    if source != "file" or not isinstance(path, str):
        raise _Unreadable(f'[tool.pdm.version] source = "{source}" computes it at build time')
    return _matched(root, folder / path, _PDM_PATTERN, 1, "[tool.pdm.version] path")


def _flit(root: Path, folder: Path, module: str) -> VersionReading:
    for base in (folder, folder / "src"):
        if path := module_file(base, module):
            return _assigned(root, path, "__version__")
    raise _Unreadable(f"flit reads it from the module {module!r}, which was not found")


def _matched(
    root: Path, path: Path, pattern: str, group: int | str, setting: str
) -> VersionReading:
    rel = relative(path, root)
    if not path.is_file():
        raise _Unreadable(f"{setting} names {rel}, which does not exist")
    try:
        match = re.search(pattern, _read_text(root, path), flags=re.MULTILINE)
        version = None if match is None else match.group(group)
    except (re.error, IndexError) as error:
        raise _Unreadable(f"the version pattern for {rel} is unusable: {error}") from error
    if not version:
        raise _Unreadable(f"{setting} names {rel}, which has no __version__ = '...' line")
    place = VersionPlace(path, pattern=pattern, group=group)
    return VersionReading(version, f"{rel} __version__", place=place)


def _read_text(root: Path, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _Unreadable(f"{relative(path, root)} cannot be read: {error}") from error


def module_file(base: Path, dotted: str) -> Path | None:
    """The file of module ``dotted`` under ``base``: a package's ``__init__.py`` or a ``.py``."""
    path = base.joinpath(*dotted.split("."))
    for candidate in (path / "__init__.py", path.parent / f"{path.name}.py"):
        if candidate.is_file():
            return candidate
    return None


def _assigned(root: Path, path: Path, name: str, depth: int = 0) -> VersionReading:
    """The literal assigned to ``name`` at module level (following relative imports), and where."""
    rel = relative(path, root)
    try:
        tree = ast.parse(_read_text(root, path), filename=str(path))
    except (SyntaxError, ValueError) as error:
        raise _Unreadable(f"{rel} cannot be parsed: {error}") from error
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(target, ast.Name) and target.id == name for target in targets):
                text = _literal(node.value, rel, name)
                return VersionReading(
                    text, f"{rel} {name}", place=VersionPlace(path, assignment=name)
                )
        if isinstance(node, ast.ImportFrom) and node.level and node.module and depth < 3:
            for alias in node.names:
                found = module_file(path.parents[node.level - 1], node.module)
                if (alias.asname or alias.name) == name and found is not None:
                    return _assigned(root, found, alias.name, depth + 1)
    raise _Unreadable(f"{rel} has no module-level {name} = '...' assignment")


def _literal(value: ast.expr, rel: str, name: str) -> str:
    try:
        literal = ast.literal_eval(value)
    except ValueError as error:
        raise _Unreadable(f"{name} in {rel} is computed, not a literal") from error
    if isinstance(literal, tuple):
        return ".".join(str(part) for part in literal)
    if not isinstance(literal, str):
        raise _Unreadable(f"{name} in {rel} is not a string")
    return literal
