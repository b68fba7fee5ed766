"""``pytest-release init``: the release suite and a ``[tool.pytest-release]`` table, written
into a repo. The gate modules are the suite's own, so a new gate appears here by itself."""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from pytest_release.checks.versions import last_release
from pytest_release.commands.init_guesses import (
    DEFAULT_TAG,
    Known,
    changelog_per_package,
    extra_package_folders,
    globbed,
    highest_tagged_version,
    mentions_a_release,
    per_package_env,
    per_package_tests,
    tag_settings,
    version_scheme,
    versioning,
)
from pytest_release.dists.prepared_metadata import metadata_reader, user_cache_folder
from pytest_release.settings import KEYS, TABLE, TagFormat, as_written
from pytest_release.target import git
from pytest_release.target.members import find_members
from pytest_release.target.monorepo import MonorepoError, Package, read_monorepo
from pytest_release.target.pyproject import TomlFile, load_toml, relative

if TYPE_CHECKING:
    from collections.abc import Sequence
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
    "version-scheme": 'or "pep440" (0.65b0, 2026.1), or "calver": the first part is a year',
    "public-api": 'modules whose API is the public boundary, e.g. ["mypkg.api"]',
    "strict-zero": "on 0.y.z, a breaking change needs a major bump too",
    "test-command": "the repo's own test suite",
    "test-env": 'or "per-package": a venv each, or "current": the gates\' environment',
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


def toml_value(value: object) -> str:
    """``value`` as TOML writes it (a tuple as an array, a mapping as an inline table)."""
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):  # an inline table
        return "{" + ", ".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
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


def found_changelog(root: Path, tags: Sequence[str] = ()) -> str | None:
    """The repository's changelog file, by the names projects use, that names one of the
    last releases (``tags``); None when none is."""
    for name in CHANGELOG_NAMES:
        try:
            text = (root / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue  # not there
        if mentions_a_release(text, tags):
            return name
    return None


def settings_table(
    package_folders: list[str],
    changelog: str | None = "CHANGELOG.md",
    chosen: Mapping[str, object] | None = None,
) -> str:
    """A commented ``[tool.pytest-release]`` table: the packages found (commented out, with
    an example, when none was), the settings init ``chosen`` from what the repository shows,
    the changelog found where it is not the default's (``changelog = false`` without one),
    and every other key commented out at its default."""
    packages = f"packages = {toml_value(package_folders)}"
    if len(packages) > _LINE_LENGTH:  # one folder a line, as a reviewer reads them
        packages = "\n".join(
            ["packages = [", *(f"  {toml_value(f)}," for f in package_folders), "]"]
        )
    lines = [
        TABLE,
        "# Written by `pytest-release init`. Every key is optional; the commented ones show",
        "# their defaults. Publish order comes from the packages' dependencies.",
        packages if package_folders else '# packages = ["libs/*"]  # none was found: list them',
    ]
    chosen = chosen or {}
    for key, (_, default) in KEYS.items():
        if key == "packages":
            continue
        if key in chosen:
            lines.extend(_chosen_lines(key, chosen[key]))
            continue
        if key == "changelog" and changelog != default:
            said = (
                f"changelog = {toml_value(changelog)}"
                if changelog
                else "changelog = false  # no changelog file names the last releases: the "
                "notes are kept elsewhere (GitHub Releases?); name the file if there is one"
            )
            lines.append(said)
            continue
        setting = f"# {key} = {toml_value(as_written(key, default))}"
        lines.append(f"{setting:<30}  # {_KEY_NOTES[key]}" if key in _KEY_NOTES else setting)
    return "\n".join(lines) + "\n"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _chosen_lines(key: str, value: object) -> list[str]:
    """A chosen setting; a table one entry a line, as dotted keys (``tags.core = ...``)."""
    if isinstance(value, Mapping):
        return [
            f"{key}.{name if _BARE_KEY.fullmatch(name) else toml_value(name)} = {toml_value(entry)}"
            for name, entry in value.items()
        ]
    return [f"{key} = {toml_value(value)}"]


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
    notes: tuple[str, ...] = ()  # what the user must know to run the gates
    from_tags: bool = False  # a version is computed from git tags: the release names it


def plan_scaffold(root: Path, *, years: Sequence[int] = ()) -> Scaffold:
    """The files ``init`` writes into ``root``; conflicts are files it would overwrite.
    ``years`` (this year and the last) tell calendar versions."""
    folder = root / SUITE_FOLDER
    wanted = {folder / name: text for name, text in gate_modules().items()}
    plain_pytest = _plain_pytest_collects(root)
    if plain_pytest:
        wanted[folder / "conftest.py"] = GUARD_CONFTEST
    listed = _listed_files(root)
    found = _found_packages(root, listed)
    kept: list[str] = []
    notes: list[str] = []
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    try:
        has_table = "pytest-release" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        has_table = False  # appended anyway; the gates report the file's own error
    if has_table:
        kept.append(f"{TABLE} in pyproject.toml")
    else:
        chosen, notes = _chosen_settings(root, found, listed, years, plain_pytest)
        before = text if not text or text.endswith("\n") else text + "\n"
        changelog = found_changelog(root, git.tags_in_history(root))
        table = settings_table(found.written, changelog, chosen)
        wanted[pyproject] = before + ("\n" if text else "") + table
    files: dict[Path, str] = {}
    for path, content in wanted.items():
        if path != pyproject and path.is_file() and path.read_text(encoding="utf-8") == content:
            kept.append(relative(path, root))
        else:
            files[path] = content
    conflicts = tuple(path for path in files if path != pyproject and path.is_file())
    names = tuple(p.name for p in found.packages)
    from_tags = any(p.computed_version is not None for p in found.packages)
    return Scaffold(files, tuple(kept), conflicts, names, found.problems, tuple(notes), from_tags)


@dataclass(frozen=True)
class _Found:
    folders: list[str]  # every package folder, relative to the root
    written: list[str]  # as the packages setting lists them (globs where they fit)
    packages: tuple[Package, ...]
    problems: str | None


def _found_packages(root: Path, listed: Sequence[str]) -> _Found:
    """The workspace's members (or packages/*, or the root), plus, where no workspace lists
    them, the other folders that hold a buildable project (hatch's backend/)."""
    reader = metadata_reader(root, user_cache_folder())
    members = _member_folders(root)
    pyprojects = _pyprojects(root, listed)
    root_data = pyprojects.get("pyproject.toml", {})
    workspace = isinstance(root_data.get("tool"), dict) and "workspace" in root_data["tool"].get(
        "uv", {}
    )
    extras = [] if workspace else extra_package_folders(pyprojects, members)
    folders = sorted({*members, *extras})
    patterns = tuple(folders) if extras else None
    siblings: dict[str, list[str]] = {}
    for path in pyprojects:
        parent = PurePosixPath(path).parent
        siblings.setdefault(str(parent.parent), []).append(str(parent))
    written = globbed(folders, siblings) if extras else folders
    try:
        monorepo = read_monorepo(root, patterns, metadata_reader=reader)
    except MonorepoError as error:
        try:
            # Dependencies a backend computes from a version computed from git tags need
            # a version to be read: the last release's stands in (init only lists them).
            stand_in = highest_tagged_version(git.tags_in_history(root))
            monorepo = read_monorepo(root, patterns, stand_in, reader)
        except MonorepoError:
            # What the members are does not depend on what could not be read of them:
            # the table still lists them.
            return _Found(folders, written, (), str(error))
    read = sorted(p.relative_folder(root) for p in monorepo.packages)
    if not extras:  # the workspace's reading: a virtual root is no package
        folders = written = read
    return _Found(folders, written, monorepo.packages, None)


def _chosen_settings(
    root: Path, found: _Found, listed: Sequence[str], years: Sequence[int], plain_pytest: bool
) -> tuple[dict[str, object], list[str]]:
    """The settings the repository shows (its tags, versions, test folders, changelogs),
    and the notes init prints about them."""
    everyone = [
        Known(p.name, p.relative_folder(root), None if p.computed_version else p.version_text)
        for p in found.packages
    ]
    tags = git.tags_in_history(root)
    chosen = tag_settings(tags, everyone)
    if (moving := versioning(everyone, chosen)) is not None:
        chosen["versioning"] = moving
    tag_format = TagFormat(str(chosen.get("tag", DEFAULT_TAG)), _own_tags(chosen))
    # A version computed from tags is read as its last release's.
    known = [
        replace(known, version=str(last[0]))
        if known.version is None and (last := last_release(tags, tag_format, known.name))
        else known
        for known in everyone
    ]
    if (scheme := version_scheme(known, years)) is not None:
        chosen["version-scheme"] = scheme
    if (changelogs := changelog_per_package(listed, everyone)) is not None:
        chosen["changelog"] = changelogs
    tested = [f for f in found.folders if f != "." and (root / f / "tests").is_dir()]
    files = {f: [path.name for path in (root / f).iterdir() if path.is_file()] for f in tested}
    separate = per_package_env(tested, files)
    # In venvs of their own, each package runs its own tests: no loop over the others.
    command = None if separate else per_package_tests("." in found.folders, tested, plain_pytest)
    notes = []
    if separate is not None:
        chosen.update(separate)
        notes.append(
            'test-env = "per-package": the packages keep test requirements files of their '
            "own, written for an environment each, so each package's tests run in a venv "
            "of their own"
        )
    if command is not None:
        chosen["test-command"] = command
        notes.append(
            f"test-command runs the tests of {len(tested)} packages one by one, each from "
            "its folder, as the packages keep their tests apart"
        )
    computed = [p for p in found.packages if p.computed_version is not None]
    if computed:
        tools = sorted({p.computed_version.tool.value for p in computed if p.computed_version})
        which = (
            "every package's version is"
            if len(computed) == len(found.packages) > 1
            else f"the version of {', '.join(p.name for p in computed)} is"
        )
        notes.append(
            f"{which} computed from git tags "
            f"({', '.join(tools)}); give the release version on every run: "
            f"pytest {SUITE_FOLDER} --release-version X.Y.Z"
        )
    return chosen, notes


def _own_tags(chosen: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    own = chosen.get("tags")
    pairs = own.items() if isinstance(own, Mapping) else ()
    return tuple(sorted((canonicalize_name(name), str(form)) for name, form in pairs))


def _listed_files(root: Path) -> list[str]:
    try:
        return git.listed_files(root)
    except git.GitError:
        return []  # not a git work tree: only the members' own files are read


# How deep below the root a package folder may be (libs/partners/openai).
_DEPTH = 4


def _pyprojects(root: Path, listed: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each pyproject.toml the repository holds near its root: path -> parsed table."""
    found: dict[str, dict[str, Any]] = {}
    for path in listed:
        if PurePosixPath(path).name != "pyproject.toml" or path.count("/") >= _DEPTH:
            continue
        try:
            found[path] = tomllib.loads((root / path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # not a project init can list; the gates report the file if it is one
    return found


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
