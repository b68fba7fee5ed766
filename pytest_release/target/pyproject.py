"""Read one ``pyproject.toml`` and turn its flaws into located ``Problem``s (pure)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement

from pytest_release.problems import Problem

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_BUILD_BACKEND = "setuptools.build_meta:__legacy__"  # PEP 517, when none is named
PYPROJECT_SPEC = "https://packaging.python.org/en/latest/specifications/pyproject-toml/"
REQUIREMENT_SPEC = "https://packaging.python.org/en/latest/specifications/dependency-specifiers/"
_VALID_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_COORDINATES = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_END_OF_DOCUMENT = re.compile(r"\s*\(at end of document\)\s*$")


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX spelling; the path itself when outside it."""
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()


def where(rel: str, line: int | None = None, column: int | None = None) -> str:
    """``"packages/x/pyproject.toml, line 3, column 7"``; parts that are unknown are left out."""
    text = rel if line is None else f"{rel}, line {line}"
    return text if column is None else f"{text}, column {column}"


@dataclass(frozen=True)
class TomlFile:
    """A parsed TOML file, its text (to find lines in) and its path relative to the repo root."""

    path: Path
    rel: str
    text: str
    data: dict[str, Any]

    def line_of(self, *needles: str) -> int | None:
        """The 1-based line of the first needle found (tried in order), ``None`` if none is."""
        for needle in needles:
            index = self.text.find(needle)
            if index >= 0:
                return self.text.count("\n", 0, index) + 1
        return None

    def header_line(self, table: str) -> int | None:
        """The line of the ``[table]`` header, ``None`` when the table is written another way."""
        pattern = r"^[ \t]*\[[ \t]*" + re.escape(table).replace(r"\.", r"[ \t]*\.[ \t]*")
        match = re.search(pattern + r"[ \t]*\]", self.text, flags=re.MULTILINE)
        return None if match is None else self.text.count("\n", 0, match.start()) + 1

    def string_line(self, value: str) -> int | None:
        """The line where ``value`` is written as a TOML string."""
        return self.line_of(f'"{value}"', f"'{value}'", value)

    def where(self, line: int | None = None, column: int | None = None) -> str:
        return where(self.rel, line, column)


def load_toml(path: Path, root: Path) -> TomlFile | Problem:
    """Parse ``path``; a file that cannot be read or parsed becomes one located ``Problem``."""
    rel = relative(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Problem(
            what=f"cannot read the file: {error}",
            where=rel,
            fix="make it a readable UTF-8 text file",
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        located = rel
        if match := _COORDINATES.search(message):
            located = where(rel, int(match.group(1)), int(match.group(2)))
            message = message[: match.start()]
        elif match := _END_OF_DOCUMENT.search(message):
            located = f"{rel}, end of file"
            message = message[: match.start()]
        return Problem(
            what=f"malformed TOML: {message}",
            where=located,
            fix="correct the TOML syntax at that position (see https://toml.io/en/v1.0.0)",
        )
    return TomlFile(path=path, rel=rel, text=text, data=data)


def table(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` when it is a table, else an empty one (for optional tool settings)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def nested(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``data[k1][k2]...`` when every step is a table, else an empty table."""
    for key in keys:
        data = table(data, key)
    return data


def dependency_groups(path: Path) -> tuple[str, ...]:
    """The PEP 735 ``[dependency-groups]`` names of the pyproject.toml at ``path`` (none
    when it has none, or cannot be read: its reading is reported where it is read)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ()
    return tuple(name for name in table(data, "dependency-groups") if isinstance(name, str))


def strings(value: object) -> list[str]:
    """``value`` as a list of strings: a lone string becomes a one-item list, others are dropped."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


@dataclass(frozen=True)
class ProjectTable:
    """The parts of ``[project]`` and ``[build-system]`` the release checklist needs."""

    name: str
    build_backend: str
    dependencies: tuple[Requirement, ...]
    optional_dependencies: dict[str, tuple[Requirement, ...]]
    scripts: dict[str, str]
    dynamic: frozenset[str] = frozenset()  # the [project] fields the backend computes


def read_project(file: TomlFile, problems: list[Problem]) -> ProjectTable | None:
    """The ``[project]`` table of ``file``; its flaws are appended to ``problems``.

    ``None`` when there is no usable name; a bad requirement is reported and left out.
    """
    project, header = file.data.get("project"), file.header_line("project")
    folder = file.path.parent.name
    if not isinstance(project, dict):
        what = "no [project] table" if project is None else "[project] is not a table"
        fix = f'add a [project] table with name = "{folder}" and version = "0.1.0" '
        problems.append(Problem(what, file.where(header), fix + f"(see {PYPROJECT_SPEC})"))
        return None
    name = project.get("name")
    if not isinstance(name, str) or not _VALID_NAME.match(name):
        if name is None:
            what = "[project] has no name"
        else:
            header = file.string_line(name) if isinstance(name, str) else header
            what = f"[project].name {name!r} is not a valid distribution name"
        fix = f'add name = "{folder}" under [project]: letters, digits, ".", "-" and "_", '
        fix += "starting and ending with a letter or digit"
        problems.append(Problem(what, file.where(header), fix))
        return None
    extras = project.get("optional-dependencies", {})
    if not isinstance(extras, dict):
        fix = (
            'write it as a table of arrays, e.g. [project.optional-dependencies] test = ["pytest"]'
        )
        line = file.line_of("optional-dependencies")
        problems.append(
            Problem("[project].optional-dependencies is not a table", file.where(line), fix)
        )
        extras = {}
    backend = table(file.data, "build-system").get("build-backend", DEFAULT_BUILD_BACKEND)
    return ProjectTable(
        name=name,
        build_backend=backend if isinstance(backend, str) else DEFAULT_BUILD_BACKEND,
        dependencies=_requirements(file, project.get("dependencies", []), "dependencies", problems),
        optional_dependencies={
            extra: _requirements(file, value, f"optional-dependencies {extra}", problems)
            for extra, value in extras.items()
        },
        scripts={
            script: target
            for group in ("scripts", "gui-scripts")
            for script, target in table(project, group).items()
            if isinstance(target, str)
        },
        dynamic=frozenset(strings(project.get("dynamic"))),
    )


def _requirements(
    file: TomlFile, value: object, label: str, problems: list[Problem]
) -> tuple[Requirement, ...]:
    if not isinstance(value, list) or not all(isinstance(text, str) for text in value):
        what = f"[project] {label} is not an array of requirement strings"
        fix = f'write it as an array of strings, e.g. ["name>=1.0"] (see {PYPROJECT_SPEC})'
        problems.append(Problem(what, file.where(file.line_of(label.split()[-1])), fix))
        return ()
    requirements: list[Requirement] = []
    for text in value:
        try:
            requirements.append(Requirement(text))
        except InvalidRequirement as error:
            reason = str(error).splitlines()[0]
            problems.append(
                Problem(
                    what=f"invalid requirement {text!r} in [project] {label}: {reason}",
                    where=file.where(file.string_line(text)),
                    fix='write it as a PEP 508 requirement such as "name[extra]>=1.0; '
                    f"python_version >= '3.11'\" (see {REQUIREMENT_SPEC})",
                )
            )
    return tuple(requirements)


# What `hatch test` installs beside the project when its hatch-test environment does not
# name `dependencies` (hatch's src/hatch/env/internal/test.py, unpinned: hatch moves the pins
# with its own releases).
HATCH_TEST_DEFAULTS = (
    "coverage[toml]",
    "pytest",
    "pytest-mock",
    "pytest-randomly",
    "pytest-rerunfailures",
    "pytest-xdist[psutil]",
)


@dataclass(frozen=True)
class HatchTest:
    """What hatch's ``hatch test`` environment adds to the project it installs: its
    requirements (``dependencies``, hatch's defaults without them, then
    ``extra-dependencies``), the extras it installs the project with (``features``), and
    whether it shuffles the tests (``randomize``; hatch runs pytest with ``-p no:randomly``
    unless it is true)."""

    requirements: tuple[str, ...]
    features: tuple[str, ...] = ()
    randomize: bool = False


def hatch_test_table(
    pyproject: dict[str, Any], hatch_toml: dict[str, Any]
) -> dict[str, Any] | None:
    """The hatch-test environment's settings: ``[tool.hatch.envs.hatch-test]`` of a
    pyproject.toml, then ``[envs.hatch-test]`` of the hatch.toml beside it, which hatch
    reads over it; None when neither file has the table."""
    found = [
        envs
        for envs in (nested(pyproject, "tool", "hatch", "envs"), nested(hatch_toml, "envs"))
        if "hatch-test" in envs
    ]
    if not found:
        return None
    return {key: value for envs in found for key, value in table(envs, "hatch-test").items()}


def hatch_test(settings: dict[str, Any]) -> HatchTest:
    """What a hatch-test environment with ``settings`` (a user's table merged over hatch's
    defaults, as hatch merges it: a key given replaces the default's) installs."""
    named = "dependencies" in settings
    requirements = strings(settings["dependencies"]) if named else list(HATCH_TEST_DEFAULTS)
    requirements += strings(settings.get("extra-dependencies"))
    return HatchTest(
        tuple(requirements),
        tuple(strings(settings.get("features"))),
        settings.get("randomize") is True,
    )


def read_hatch_test(folder: Path) -> HatchTest | None:
    """The hatch-test environment of the project in ``folder`` (its pyproject.toml and
    hatch.toml), None when neither has the table. Files that cannot be read count as empty:
    their reading is reported where it is read."""
    tables = []
    for name in ("pyproject.toml", "hatch.toml"):
        try:
            tables.append(tomllib.loads((folder / name).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            tables.append({})
    settings = hatch_test_table(*tables)
    return None if settings is None else hatch_test(settings)
