"""``pytest-release plan``: what a release would do, judged by the versions gate's own rules.

With a release version other than the packages' own, the plan is made on the repo as
``pytest-release bump VERSION`` would leave it (in memory: nothing is written).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from pytest_release.checks.internal_ranges import range_problems
from pytest_release.checks.release_scope import release_scope
from pytest_release.checks.versions import (
    bump_problems,
    previous_release,
    release_tag_names,
    release_version,
    version_scheme_problems,
)
from pytest_release.commands.bump import BumpError, plan_bump
from pytest_release.problems import Problem
from pytest_release.target.members import find_members
from pytest_release.target.monorepo import Monorepo
from pytest_release.target.pyproject import TomlFile, load_toml, read_project, relative, strings
from pytest_release.target.vcs_version import VcsTool, computed_version

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import date
    from pathlib import Path

    from packaging.version import Version

    from pytest_release.settings import Settings
    from pytest_release.target.git import ChangesSince


@dataclass(frozen=True)
class PlannedPackage:
    name: str
    folder: str
    current: str | None
    next: str | None
    requires: tuple[str, ...]  # its internal requirements, as the release will have them
    released: bool  # in this release (independent versioning may leave it out)
    why: str  # why it is in the release, or is not


@dataclass(frozen=True)
class ReleasePlan:
    root: str
    versioning: str
    tag_format: str
    release: str | None
    last_release: str | None
    packages: tuple[PlannedPackage, ...]  # publish order
    tags: tuple[str, ...]
    bump_files: tuple[str, ...]  # what `pytest-release bump RELEASE` would change
    problems: tuple[Problem, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "versioning": self.versioning,
            "tag_format": self.tag_format,
            "release_version": self.release,
            "last_release": self.last_release,
            "publish_order": [p.name for p in self.packages if p.released],
            "packages": [vars(p) | {"requires": list(p.requires)} for p in self.packages],
            "tags": list(self.tags),
            "bump_files": list(self.bump_files),
            "problems": [vars(p) for p in self.problems],
            "possible": not self.problems,
        }


def plan_release(
    settings: Settings,
    monorepo: Monorepo,
    tags: Sequence[str],
    *,
    today: date,
    changes: Mapping[str, ChangesSince],
) -> ReleasePlan:
    """The release of ``settings.release_version`` (else the packages' own version);
    ``changes``: what changed in each package since its last tag, as
    ``release_scope.read_changes`` reads it."""
    released, problems = monorepo, list[Problem]()
    bump_files: tuple[str, ...] = ()
    given = settings.release_version
    if given is not None and not _already_at(settings, monorepo, given):
        try:
            bump = plan_bump(settings, monorepo, given, today=today, tags=tags)
        except BumpError as error:
            problems.extend(error.problems)
        else:
            released = _as_bumped(monorepo, bump.versions, {e.path: e.after for e in bump.edits})
            bump_files = tuple(relative(e.path, monorepo.root) for e in bump.edits)
    reading = release_version(settings, released)
    scope = release_scope(settings, released, tags, changes)
    if not problems:  # the versions gate's checks, on the repo as the release will have it
        problems.extend(reading.problems)
        for package in released.packages:
            problems.extend(range_problems(released, package))  # in the release or not
            place = scope.of(package)
            if place.released:
                problems.extend(version_scheme_problems(package, settings))
                problems.extend(
                    bump_problems(package, tags, settings, place.changes, shared_last=place.last)
                )
    if reading.version is None and not problems:
        problems.append(
            Problem(
                "no release version: the packages are not at one version to release",
                str(settings.config_file),
                "give --release-version X.Y.Z",
            )
        )
    last = previous_release(tags, settings, monorepo)
    current = {p.key: p.version_text for p in monorepo.packages}
    return ReleasePlan(
        root=str(monorepo.root),
        versioning=settings.versioning,
        tag_format=settings.tag.describe(),
        release=None if reading.version is None else str(reading.version),
        last_release=None if last is None else str(last[0]),
        packages=tuple(
            PlannedPackage(
                name=p.name,
                folder=p.relative_folder(monorepo.root),
                current=current[p.key],
                next=p.version_text,
                requires=tuple(str(r) for r in released.internal_requirements(p)),
                released=scope.of(p).released,
                why=scope.of(p).describe(),
            )
            for p in released.packages
        ),
        tags=tuple(
            release_tag_names(settings.tag, scope.released(released.packages), reading.version)
        )
        if reading.version is not None
        else (),
        bump_files=bump_files,
        problems=tuple(dict.fromkeys(problems)),  # once each, in order
    )


def computed_versions(root: Path, patterns: Sequence[str] | None) -> dict[str, VcsTool]:
    """The packages (by name) whose version a tool computes from git tags at build time,
    read off their pyproject.toml files alone (no build backend is asked)."""
    pyproject = root / "pyproject.toml"
    loaded = load_toml(pyproject, root) if pyproject.is_file() else None
    found: dict[str, VcsTool] = {}
    members = find_members(root, patterns, loaded if isinstance(loaded, TomlFile) else None, [])
    for folder in members.folders:
        path = folder / "pyproject.toml"
        file = load_toml(path, root) if path.is_file() else None
        project = file.data.get("project") if isinstance(file, TomlFile) else None
        if not isinstance(file, TomlFile) or not isinstance(project, dict):
            continue  # not a package: the gates say so where it matters
        computed = computed_version(file.data)
        if computed is not None and "version" in strings(project.get("dynamic")):
            found[str(project.get("name", folder.name))] = computed.tool
    return found


def unplanned_release(computed: Mapping[str, VcsTool], last: str | None) -> str:
    """Why ``plan`` needs ``--release-version`` for packages whose version comes from tags."""
    names = ", ".join(computed)
    whose = f"the versions of {names} are" if len(computed) > 1 else f"the version of {names} is"
    tools = ", ".join(sorted({tool.value for tool in computed.values()}))
    since = f" (the last release is {last})" if last else ""
    return (
        f"{whose} computed from git tags by {tools}: the release's version "
        "is the tag the gates make, not one written in the files. Give the release to plan: "
        f"pytest-release plan --release-version X.Y.Z{since}"
    )


def _already_at(settings: Settings, monorepo: Monorepo, given: str) -> bool:
    """Whether the repo is at the release version already, as the versions gate reads it:
    every package (lockstep), or a top package (independent: the others keep theirs)."""
    if settings.versioning == "lockstep":
        return all(p.version_text == given for p in monorepo.packages)
    return any(p.version_text == given for p in monorepo.top_packages)


def _as_bumped(
    monorepo: Monorepo,
    versions: Mapping[str, tuple[str | None, Version]],
    texts: Mapping[Path, str],
) -> Monorepo:
    """The model with the bump's versions and its rewritten requirements."""
    new: dict[str, str | None] = {
        canonicalize_name(name): str(version) for name, (_, version) in versions.items()
    }
    packages = []
    for package in monorepo.packages:
        changed = replace(package, version_text=new.get(package.key, package.version_text))
        text = texts.get(package.pyproject)
        if text is not None:
            file = TomlFile(package.pyproject, "", text, tomllib.loads(text))
            project = read_project(file, [])
            if project is not None:
                changed = replace(
                    changed,
                    dependencies=project.dependencies,
                    optional_dependencies=project.optional_dependencies,
                )
        packages.append(changed)
    return Monorepo(monorepo.root, tuple(packages))


def render_plan(plan: ReleasePlan) -> str:
    """The plan as the terminal shows it."""
    lines = [
        f"release plan for {plan.root} ({plan.versioning} versioning, tags {plan.tag_format})",
        f"release version: {plan.release or 'none'}"
        + (f" (last release {plan.last_release})" if plan.last_release else " (no release yet)"),
        "",
    ]
    width = max([len("package"), *(len(p.name) for p in plan.packages)])
    lines.append(f"  {'package':<{width}}  {'current':<10} {'next':<10} requires")
    for p in plan.packages:
        requires = ", ".join(p.requires) or "-"
        lines.append(f"  {p.name:<{width}}  {p.current or '?':<10} {p.next or '?':<10} {requires}")
    left_out = [p for p in plan.packages if not p.released]
    if left_out:
        lines += ["", "not in this release (neither built for upload, uploaded nor tagged):"]
        lines += [f"  {p.name}: {p.why}" for p in left_out]
    shown = [p.name for p in plan.packages if p.released]
    lines += ["", "publish order: " + (" -> ".join(shown) or "nothing to publish")]
    lines.append("tags: " + (", ".join(plan.tags) or "none"))
    if plan.bump_files:
        lines.append(
            f"`pytest-release bump {plan.release}` would change: " + ", ".join(plan.bump_files)
        )
    return "\n".join(lines)
