"""``pytest-release init``: the release suite and a ``[tool.pytest-release]`` table, written
into a repo. The gate modules are the suite's own, so a new gate appears here by itself."""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from pytest_release.dists.prepared_metadata import metadata_reader, user_cache_folder
from pytest_release.settings import KEYS, TABLE, as_written
from pytest_release.target.members import find_members
from pytest_release.target.monorepo import MonorepoError, read_monorepo
from pytest_release.target.pyproject import TomlFile, load_toml, relative

if TYPE_CHECKING:
    from pathlib import Path

SUITE_FOLDER = "release_tests"
_LINE_LENGTH = 100
_GATE_MODULE = re.compile(r"test_(?P<step>\d+[a-z]?)_(?P<name>\w+)\.py")
# The guard, self-contained: the conftest is collected where pytest-release is not installed.
GUARD_CONFTEST = resources.files("pytest_release.suite").joinpath("guard.py").read_text("utf-8")
# Why each optional key is there, for the commented table; the values are the defaults.
_KEY_NOTES = {
    "branch": "the release branch",
    "changelog": 'the changelog file, "{folder}/CHANGELOG.md" for one per package, or false',
    "changelog-sections": 'or "towncrier", or a table { "Bug Fixes" = "fixed" }',
    "tag": 'or "{name}-v{version}" for one tag per package',
    "tags": 'a package\'s own format, e.g. { mypkg-core = "core=={version}" }',
    "versioning": 'or "independent"',
    "version-scheme": 'or "pep440": any version PyPI accepts (0.65b0, 2026.1)',
    "public-api": 'modules whose API is the public boundary, e.g. ["mypkg.api"]',
    "strict-zero": "on 0.y.z, a breaking change needs a major bump too",
    "test-command": "the repo's own test suite",
    "test-env": 'or "current": the environment running the gates',
    "test-groups": "[dependency-groups] installed into the fresh test venv",
    "rehearsal-together": "true: every top package must install into one venv",
    "smoke": 'CLI commands run from the repo root, e.g. ["mytool --version"]',
    "smoke-timeout": "seconds before a smoke command counts as hung",
    "python-smoke": "Python statements run where the built wheels are installed",
    "testpypi": "a ~/.pypirc repository, an upload URL, or local",
    "pypi": "a ~/.pypirc repository, an upload URL, or local",
    "github-release-files": "true: attach the wheels and sdists to the GitHub release",
}


def gate_modules() -> dict[str, str]:
    """The thin module of every gate in the installed suite: file name -> text."""
    suite = resources.files("pytest_release.suite")
    modules: dict[str, str] = {}
    for entry in sorted(suite.iterdir(), key=lambda entry: entry.name):
        match = _GATE_MODULE.fullmatch(entry.name)
        if match is None:
            continue
        step = match["step"].lstrip("0") or "0"
        modules[entry.name] = (
            f'"""Gate {step}: {match["name"]}. The checks live in pytest_release.suite; '
            'this module runs them here."""\n\n'
            f"from pytest_release.suite.{entry.name.removesuffix('.py')} import *  # noqa: F403\n"
        )
    return modules


def _toml_value(value: object) -> str:
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):  # an inline table
        return (
            "{" + ", ".join(f"{_toml_value(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    return str(value)


# Where projects keep their changelog, most common first.
CHANGELOG_NAMES = (
    "CHANGELOG.md",
    "CHANGES.md",
    "CHANGELOG.rst",
    "CHANGES.rst",
    "HISTORY.md",
    "NEWS.md",
    "docs/changelog.md",
    "docs/CHANGELOG.md",
)


def found_changelog(root: Path) -> str | None:
    """The repository's changelog file, by the names projects use; None when none is."""
    return next((name for name in CHANGELOG_NAMES if (root / name).is_file()), None)


def settings_table(package_folders: list[str], changelog: str | None = "CHANGELOG.md") -> str:
    """A commented ``[tool.pytest-release]`` table: the packages found (commented out, with
    an example, when none was), every other key commented out at its default, but the
    changelog found where it is not the default's (``changelog = false`` without one)."""
    packages = f"packages = {_toml_value(package_folders)}"
    if len(packages) > _LINE_LENGTH:  # one folder a line, as a reviewer reads them
        packages = "\n".join(
            ["packages = [", *(f"  {_toml_value(f)}," for f in package_folders), "]"]
        )
    lines = [
        TABLE,
        "# Written by `pytest-release init`. Every key is optional; the commented ones show",
        "# their defaults. Publish order comes from the packages' dependencies.",
        packages if package_folders else '# packages = ["libs/*"]  # none was found: list them',
    ]
    for key, (_, default) in KEYS.items():
        if key == "packages":
            continue
        if key == "changelog" and changelog != default:
            said = (
                f"changelog = {_toml_value(changelog)}"
                if changelog
                else "changelog = false  # no changelog file found: the release notes are kept "
                "elsewhere (GitHub Releases?); name the file if there is one"
            )
            lines.append(said)
            continue
        setting = f"# {key} = {_toml_value(as_written(key, default))}"
        lines.append(f"{setting:<30}  # {_KEY_NOTES[key]}" if key in _KEY_NOTES else setting)
    return "\n".join(lines) + "\n"


def _plain_pytest_collects(root: Path) -> bool:
    """Whether ``pytest`` at ``root`` would walk into the suite: no ``testpaths`` set."""
    try:
        pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        pyproject = {}
    if "testpaths" in pyproject.get("tool", {}).get("pytest", {}).get("ini_options", {}):
        return False
    ini_files = {"pytest.ini": "pytest", ".pytest.ini": "pytest", "tox.ini": "pytest"}
    for name, section in (ini_files | {"setup.cfg": "tool:pytest"}).items():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(root / name, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        if parser.has_option(section, "testpaths"):
            return False
    return True


@dataclass(frozen=True)
class Scaffold:
    """What ``init`` writes (path -> text), what it left alone, and what it found."""

    files: dict[Path, str]
    kept: tuple[str, ...]
    conflicts: tuple[Path, ...]  # existing files with other content
    packages: tuple[str, ...]
    problems: str | None  # why the packages could not be read, if they could not


def plan_scaffold(root: Path) -> Scaffold:
    """The files ``init`` writes into ``root``; conflicts are files it would overwrite."""
    folder = root / SUITE_FOLDER
    wanted = {folder / name: text for name, text in gate_modules().items()}
    if _plain_pytest_collects(root):
        wanted[folder / "conftest.py"] = GUARD_CONFTEST
    try:
        monorepo = read_monorepo(root, metadata_reader=metadata_reader(root, user_cache_folder()))
        names = tuple(p.name for p in monorepo.packages)
        folders = sorted(p.relative_folder(root) for p in monorepo.packages)
        problems = None
    except MonorepoError as error:
        # What the members are does not depend on what could not be read of them (a
        # version the release must give, say): the table still lists them.
        names, folders, problems = (), _member_folders(root), str(error)
    kept: list[str] = []
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    try:
        has_table = "pytest-release" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        has_table = False  # appended anyway; the gates report the file's own error
    if has_table:
        kept.append(f"{TABLE} in pyproject.toml")
    else:
        before = text if not text or text.endswith("\n") else text + "\n"
        table = settings_table(folders, found_changelog(root))
        wanted[pyproject] = before + ("\n" if text else "") + table
    files: dict[Path, str] = {}
    for path, content in wanted.items():
        if path != pyproject and path.is_file() and path.read_text(encoding="utf-8") == content:
            kept.append(relative(path, root))
        else:
            files[path] = content
    conflicts = tuple(path for path in files if path != pyproject and path.is_file())
    return Scaffold(files, tuple(kept), conflicts, names, problems)


def _member_folders(root: Path) -> list[str]:
    """The folders of the repository's members, as the gates find them, unread."""
    pyproject = root / "pyproject.toml"
    loaded = load_toml(pyproject, root) if pyproject.is_file() else None
    root_file = loaded if isinstance(loaded, TomlFile) else None
    members = find_members(root, None, root_file, [])
    return sorted(
        relative(folder, root)
        for folder in members.folders
        if (folder / "pyproject.toml").is_file()
    )


def write_scaffold(scaffold: Scaffold) -> None:
    for path, text in scaffold.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
