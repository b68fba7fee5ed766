"""What ``pytest-release init`` reads off a repository to write settings a user would
otherwise have to find: the tag forms of its past releases, whether its packages move in
lockstep, its version scheme, its per-package test suites and test environments, package
folders no workspace lists, one changelog per package. Pure logic over what init has
read."""

from __future__ import annotations

import re
import shlex
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pytest_release.checks.target_tests import COMPILED_TEST_REQUIREMENTS, TEST_REQUIREMENTS
from pytest_release.checks.version_scheme import semver_problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

DEFAULT_TAG = "v{version}"
# A release tag: anything, then a PEP 440 version that ends the tag.
_TAG = re.compile(
    r"(?P<prefix>.*?)(?P<version>\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?)"
)
# What joins a name to its version in a tag: "hatch-v", "checkpoint==", "core@".
_JOINER = re.compile(r"[-_.=@/]*v?$")
# Folders whose pyproject.toml files are fixtures, examples or vendored code, never a package
# of the repository's release.
_NOT_PACKAGES = re.compile(
    r"^(\..*|_.*|tests?|testing|fixtures?|.*examples?|docs?|benchmarks?|bench|node_modules|"
    r"site-packages|venv|build|dist)$",
    re.IGNORECASE,
)
_CHANGELOG_FOLDER = re.compile(r"(history|change|news|release)", re.IGNORECASE)
_TEST_FILES = frozenset((*TEST_REQUIREMENTS, *COMPILED_TEST_REQUIREMENTS))
# A first version part this high is a year (26.1.0, 2026.1): calendar versioning.
_FIRST_YEAR = 20


@dataclass(frozen=True)
class Known:
    """A package as init found it: its name, folder and version (None: computed at build
    time)."""

    name: str
    folder: str  # relative to the root, "." for the root
    version: str | None


def tag_settings(tags: Iterable[str], packages: Sequence[Known]) -> dict[str, object]:
    """``tag`` and ``tags`` as the repository's past release tags spell them; only what
    differs from the default ``v{version}``."""
    named: dict[str, Counter[str]] = {p.name: Counter() for p in packages}
    unnamed: Counter[str] = Counter()
    for tag in tags:
        match = _TAG.fullmatch(tag)
        if match is None or not _is_version(match["version"]):
            continue
        prefix = match["prefix"]
        stem = _JOINER.sub("", prefix)
        owner = _owner(stem, packages) if stem else None
        if owner is None and not stem:
            unnamed[prefix] += 1
        elif owner is not None:
            form = (
                "{name}" + prefix[len(stem) :]
                if _squashed(stem) == _squashed(owner.name)
                else prefix
            )
            named[owner.name][form + "{version}"] += 1
    forms = {name: counts.most_common(1)[0][0] for name, counts in named.items() if counts}
    shared = set(forms.values())
    if len(forms) == len(packages) and len(shared) == 1 and "{name}" in next(iter(shared)):
        default = next(iter(shared))  # every package tagged by name, one way (older bare
        # tags are from before the packages were tagged one by one)
    elif unnamed:
        default = unnamed.most_common(1)[0][0] + "{version}"
    else:
        default = DEFAULT_TAG
    chosen: dict[str, object] = {} if default == DEFAULT_TAG else {"tag": default}
    own = {name: form for name, form in forms.items() if form != default}
    if own:
        chosen["tags"] = own
    return chosen


def highest_tagged_version(tags: Iterable[str]) -> str:
    """The highest version any release tag carries; ``0.0.0`` without one."""
    versions = [
        Version(match["version"])
        for tag in tags
        if (match := _TAG.fullmatch(tag)) is not None and _is_version(match["version"])
    ]
    return str(max(versions, default=Version("0.0.0")))


def mentions_a_release(text: str, tags: Iterable[str], recent: int = 5) -> bool:
    """Whether a changelog's ``text`` names one of the ``recent`` highest tagged versions
    (any text does, without tags): an upgrade guide that lists only breaking releases, or
    a stale file, is not where the release notes are kept."""
    versions = {
        Version(match["version"])
        for tag in tags
        if (match := _TAG.fullmatch(tag)) is not None and _is_version(match["version"])
    }
    if not versions:
        return True
    latest = sorted(versions, reverse=True)[:recent]
    return any(re.search(rf"(?<![\d.]){re.escape(str(v))}(?![\d])", text) for v in latest)


def _is_version(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def _squashed(name: str) -> str:
    return re.sub(r"[-_.]+", "", canonicalize_name(name))


def _owner(stem: str, packages: Sequence[Known]) -> Known | None:
    """The package a tag's name part names: its whole name, or its last words
    (``checkpoint`` for langgraph-checkpoint); the longest such name wins."""
    wanted = _squashed(stem)
    best: tuple[int, Known] | None = None
    for package in packages:
        words = canonicalize_name(package.name).split("-")
        for start in range(len(words)):
            if "".join(words[start:]) == wanted and (best is None or start < best[0]):
                best = (start, package)
    return None if best is None else best[1]


def versioning(packages: Sequence[Known], tags: Mapping[str, object]) -> str | None:
    """``independent`` when the packages are at different versions or are tagged one by
    one; None for the default (lockstep)."""
    versions = {p.version for p in packages if p.version is not None}
    tag = tags.get("tag", DEFAULT_TAG)
    by_name = "tags" in tags or (isinstance(tag, str) and "{name}" in tag)
    return "independent" if len(packages) > 1 and (len(versions) > 1 or by_name) else None


def version_scheme(packages: Sequence[Known], years: Sequence[int]) -> str | None:
    """``calver`` when every first version part is a recent year (``years``: this year
    and the last), ``pep440`` when a version is not strict SemVer; None for the default."""
    versions = [Version(p.version) for p in packages if p.version and _is_version(p.version)]
    if not versions:
        return None
    if all(_is_year(v.release[0], years) for v in versions):
        return "calver"
    if any(semver_problem(str(v)) for v in versions):
        return "pep440"
    return None


def _is_year(first: int, years: Sequence[int]) -> bool:
    return first >= _FIRST_YEAR and any(first in (year, year % 100) for year in years)


def per_package_tests(
    root_is_package: bool, test_folders: Sequence[str], plain_pytest: bool
) -> list[str] | None:
    """A ``test-command`` that runs each package's own suite from its folder, for a repo
    whose packages keep their tests apart (no root package, no ``testpaths``, two packages
    or more with a ``tests`` folder: one pytest run over all would mix their ``tests``
    packages and conftests); None when ``pytest -q`` at the root is the suite."""
    if root_is_package or not plain_pytest or len(test_folders) < 2:
        return None
    folders = " ".join(shlex.quote(folder) for folder in test_folders)
    script = f"s=0; for d in {folders}; do (cd $d && pytest -q tests) || s=1; done; exit $s"
    return ["sh", "-c", script]


def per_package_env(
    test_folders: Sequence[str], requirements: Mapping[str, Sequence[str]]
) -> dict[str, object] | None:
    """``test-env = "per-package"`` (and the command run from each package's folder) for a
    repo where two packages or more with tests keep test requirements files of their own
    (``requirements``: package folder -> the files in it): such files are written for an
    environment each (a tox or nox env per package), and their pins need not agree, so one
    venv for all of them would fail where the project's own runs pass. None otherwise:
    the default fresh venv, which also catches packages that cannot be installed together.
    """
    own = [folder for folder in test_folders if set(requirements.get(folder, ())) & _TEST_FILES]
    if len(own) < 2:
        return None
    return {"test-command": "pytest -q tests", "test-env": "per-package"}


def extra_package_folders(
    pyprojects: Mapping[str, Mapping[str, object]], members: Sequence[str]
) -> list[str]:
    """Folders (``pyprojects``: path of a pyproject.toml -> its parsed table) holding a
    buildable project (a ``[project]`` with a name and a ``[build-system]``) that the
    members found leave out; never the root, nor fixtures, examples, docs or tests."""
    found = []
    for path, data in pyprojects.items():
        folder = PurePosixPath(path).parent
        if str(folder) in {".", *members} or any(_NOT_PACKAGES.match(p) for p in folder.parts):
            continue
        project = data.get("project")
        if isinstance(project, dict) and "name" in project and "build-system" in data:
            found.append(str(folder))
    return sorted(found)


def globbed(folders: Sequence[str], siblings: Mapping[str, Sequence[str]]) -> list[str]:
    """``folders`` with each group that is every package folder of its parent written as
    ``parent/*`` (``siblings``: parent -> its subfolders holding a pyproject.toml)."""
    written: list[str] = []
    for folder in folders:
        parent = str(PurePosixPath(folder).parent)
        under = [f for f in folders if str(PurePosixPath(f).parent) == parent]
        if parent != "." and len(under) > 1 and sorted(under) == sorted(siblings.get(parent, ())):
            if f"{parent}/*" not in written:
                written.append(f"{parent}/*")
        else:
            written.append(folder)
    return written


def changelog_per_package(files: Iterable[str], packages: Sequence[Known]) -> str | None:
    """A ``changelog`` format that names a file for every package: ``{folder}/CHANGELOG.md``
    or ``docs/history/{name}.md``; None when the files do not say one."""
    present = set(files)
    if len(packages) < 2:
        return None
    for name in ("CHANGELOG.md", "CHANGES.md", "CHANGELOG.rst", "CHANGES.rst", "HISTORY.md"):
        if all(str(PurePosixPath(p.folder) / name) in present for p in packages):
            return "{folder}/" + name
    folders = {str(PurePosixPath(f).parent) for f in present if _CHANGELOG_FOLDER.search(f)}
    for folder in sorted(folders):
        for suffix in (".md", ".rst"):
            if all(f"{folder}/{p.name}{suffix}" in present for p in packages):
                return f"{folder}/{{name}}{suffix}"
    return None
