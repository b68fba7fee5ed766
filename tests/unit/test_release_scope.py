"""release_scope: which packages a release takes, and why (independent partial releases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from pytest_release.checks import versions
from pytest_release.checks.release_scope import (
    Reason,
    read_changes,
    release_scope,
    ships,
    tag_bases,
)
from pytest_release.settings import Settings, resolve_settings
from pytest_release.target import git as git_module
from pytest_release.target.git import ChangesSince
from pytest_release.target.monorepo import Monorepo, Package
from tests.unit.test_dists import git

TAGS = ("core-v1.0.0", "core-v1.1.0", "cli-v0.3.0", "app-v2.0.0")
UNCHANGED = ChangesSince((), 0)
CHANGED = ChangesSince(("packages/core/src/core/__init__.py", "packages/core/README.md"), 12)


def _settings(root: Path, table: str) -> Settings:
    (root / "pyproject.toml").write_text(f"[tool.pytest-release]\n{table}\n", encoding="utf-8")
    return resolve_settings(root, {}, {})


def _package(root: Path, name: str, version: str | None, folder: str | None = None) -> Package:
    where = root / (folder or f"packages/{name}")
    return Package(
        name=name,
        key=name,
        folder=where,
        pyproject=where / "pyproject.toml",
        version_text=version,
        version_source=f"{folder or f'packages/{name}'}/pyproject.toml [project] version",
    )


INDEPENDENT = 'versioning = "independent"\ntag = "{name}-v{version}"'


@pytest.mark.parametrize(
    ("table", "version", "changes", "reason", "released"),
    [
        (INDEPENDENT, "1.1.0", UNCHANGED, Reason.UNCHANGED, False),
        (INDEPENDENT, "1.1.0", CHANGED, Reason.CHANGED, True),
        (INDEPENDENT, "1.2.0", UNCHANGED, Reason.VERSION_MOVED, True),
        (INDEPENDENT, "1.0.5", CHANGED, Reason.VERSION_MOVED, True),
        (INDEPENDENT, None, UNCHANGED, Reason.UNREADABLE, True),
        ('tag = "{name}-v{version}"', "1.1.0", UNCHANGED, Reason.LOCKSTEP, True),
        ('versioning = "independent"', "1.1.0", UNCHANGED, Reason.SHARED_TAG, True),
        (
            f'{INDEPENDENT}\nunbumped-changes = "leave-out"',
            "1.1.0",
            CHANGED,
            Reason.UNBUMPED,
            False,
        ),
        (
            f'{INDEPENDENT}\nunbumped-changes = "leave-out"',
            "1.2.0",
            CHANGED,
            Reason.VERSION_MOVED,
            True,
        ),
    ],
    ids=[
        "unchanged",
        "changed-not-bumped",
        "bumped",
        "below",
        "unreadable",
        "lockstep",
        "shared-tag",
        "changed-not-bumped-left-out",
        "changed-and-bumped-with-leave-out",
    ],
)
def test_a_package_is_left_out_only_at_its_last_release_and_unchanged(
    tmp_path: Path,
    table: str,
    version: str | None,
    changes: ChangesSince,
    reason: Reason,
    released: bool,
) -> None:
    settings = _settings(tmp_path, table)
    core = _package(tmp_path, "core", version)
    scope = release_scope(settings, Monorepo(tmp_path, (core,)), TAGS, {"core": changes})
    place = scope.of(core)
    assert (place.reason, place.released) == (reason, released)
    assert scope.released([core]) == ((core,) if released else ())


def test_a_package_never_tagged_is_in_the_release(tmp_path: Path) -> None:
    settings = _settings(tmp_path, INDEPENDENT)
    new = _package(tmp_path, "new", "0.1.0")
    scope = release_scope(settings, Monorepo(tmp_path, (new,)), TAGS, {})
    assert scope.of(new).reason is Reason.NEVER_RELEASED
    assert scope.of(new).describe() == "never released"


def test_a_package_left_for_a_later_release_says_what_changed(tmp_path: Path) -> None:
    settings = _settings(tmp_path, f'{INDEPENDENT}\nunbumped-changes = "leave-out"')
    core = _package(tmp_path, "core", "1.1.0")
    scope = release_scope(settings, Monorepo(tmp_path, (core,)), TAGS, {"core": CHANGED})
    assert scope.left_out == (scope.of(core),)
    assert scope.of(core).describe() == (
        "changed since core-v1.1.0 (12 commits), still 1.1.0: left for a later release"
    )


def test_each_reason_is_said_with_the_tag(tmp_path: Path) -> None:
    settings = _settings(tmp_path, INDEPENDENT)
    core, cli, app = (
        _package(tmp_path, "core", "1.1.0"),
        _package(tmp_path, "cli", "0.3.0"),
        _package(tmp_path, "app", "2.1.0"),
    )
    changes = {"core": CHANGED, "cli": UNCHANGED, "app": UNCHANGED}
    scope = release_scope(settings, Monorepo(tmp_path, (core, cli, app)), TAGS, changes)
    assert [place.describe() for place in scope.packages] == [
        "changed since core-v1.1.0 (12 commits), still 1.1.0",
        "unchanged since cli-v0.3.0, still 0.3.0",
        "2.0.0 -> 2.1.0 (last tag app-v2.0.0)",
    ]
    assert [place.name for place in scope.left_out] == ["cli"]


def test_a_per_package_format_from_the_tags_table(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        'versioning = "independent"\ntags = { checkpoint = "checkpoint=={version}" }',
    )
    checkpoint = _package(tmp_path, "checkpoint", "4.2.0")
    tags = ["checkpoint==4.1.0", "checkpoint==4.2.0", "v1.0.0"]
    scope = release_scope(
        settings, Monorepo(tmp_path, (checkpoint,)), tags, {"checkpoint": UNCHANGED}
    )
    assert scope.of(checkpoint).describe() == "unchanged since checkpoint==4.2.0, still 4.2.0"


def test_git_is_asked_about_each_tagged_package_without_the_packages_nested_in_it(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, INDEPENDENT)
    app = _package(tmp_path, "app", "2.0.0", folder=".")
    core = _package(tmp_path, "core", "1.1.0")
    new = _package(tmp_path, "new", "0.1.0")
    bases = tag_bases(settings, Monorepo(tmp_path, (core, new, app)), TAGS)
    assert {name: (base.last[1], base.folder, base.excluded) for name, base in bases.items()} == {
        "core": ("core-v1.1.0", "packages/core", ()),
        "app": ("app-v2.0.0", ".", ("packages/core", "packages/new")),
    }
    lockstep = _settings(tmp_path, 'tag = "{name}-v{version}"')
    assert tag_bases(lockstep, Monorepo(tmp_path, (core,)), TAGS) == {}


def test_a_changed_package_still_at_its_last_release_must_be_bumped(tmp_path: Path) -> None:
    settings = _settings(tmp_path, INDEPENDENT)
    core = _package(tmp_path, "core", "1.1.0")
    (problem,) = versions.bump_problems(core, TAGS, settings, CHANGED)
    assert (
        problem.what == "core changed since core-v1.1.0 (12 commits, 2 files), still 1.1.0: bump it"
    )
    assert problem.where == "packages/core/pyproject.toml [project] version"
    assert "1.1.1" in problem.fix
    # Without what changed, the old words.
    (plain,) = versions.bump_problems(core, TAGS, settings)
    assert plain.what == "core 1.1.0 is equal to the last release 1.1.0 (tag core-v1.1.0)"


def test_the_release_tags_are_those_of_the_released_packages(tmp_path: Path) -> None:
    settings = _settings(tmp_path, INDEPENDENT)
    core, cli = _package(tmp_path, "core", "1.2.0"), _package(tmp_path, "cli", "0.3.0")
    model = Monorepo(tmp_path, (core, cli))
    scope = release_scope(settings, model, TAGS, {"core": UNCHANGED, "cli": UNCHANGED})
    released = scope.released(model.packages)
    assert versions.release_tag_names(settings.tag, released, Version("1.2.0")) == ["core-v1.2.0"]


@pytest.mark.parametrize(
    ("path", "shipped"),
    [
        pytest.param("libs/cli/langgraph_cli/cli.py", True, id="its-code"),
        pytest.param("libs/cli/README.md", True, id="its-readme-is-the-long-description"),
        pytest.param("libs/cli/pyproject.toml", True, id="its-metadata"),
        pytest.param("libs/cli/tests/unit_tests/test_cli.py", False, id="its-tests"),
        pytest.param("libs/cli/examples/graphs/agent.py", False, id="its-examples"),
        pytest.param("libs/cli/js-examples/package.json", True, id="a-folder-of-its-own-name"),
        pytest.param("libs/cli/uv.lock", False, id="its-lock"),
        pytest.param("libs/cli/.gitignore", False, id="a-dotfile"),
        pytest.param("libs/cli/docs/index.md", False, id="its-docs"),
        pytest.param("libs/cli/langgraph_cli/scripts/run.py", True, id="a-subpackage-of-its-code"),
    ],
)
def test_only_what_a_package_ships_asks_for_a_release(path: str, shipped: bool) -> None:
    assert ships(path, "libs/cli") is shipped
    assert ships(path.removeprefix("libs/cli/"), ".") is shipped


def test_a_package_sharing_the_repository_tag_is_judged_by_its_version_at_that_tag(
    tmp_path: Path,
) -> None:
    """langgraph's shape: the repository's tag records the top package's releases; a
    package without tags of its own is released when its version moved since that tag
    (opentelemetry-python's 0.65b0 line beside 1.44.0), and not when it stayed and its
    files did not change (langgraph-checkpoint-conformance 0.0.2 beside langgraph 1.2.11)."""
    settings = _settings(tmp_path, 'versioning = "independent"\ntag = "{version}"')
    versions_now = {"app": "1.0.0", "beta": "0.5b0", "conformance": "0.0.2"}

    def write(name: str, version: str) -> None:
        folder = tmp_path / "packages" / name
        folder.mkdir(parents=True, exist_ok=True)
        text = f'[project]\nname = "{name}"\nversion = "{version}"\n'
        (folder / "pyproject.toml").write_text(text, encoding="utf-8")
        versions_now[name] = version

    def commit(message: str) -> None:
        git(tmp_path, "add", "-A")
        git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)

    git(tmp_path, "init", "-q", "-b", "main")
    for name, version in dict(versions_now).items():
        write(name, version)
    commit("Release 1.0.0")
    git(tmp_path, "tag", "1.0.0")
    write("app", "1.1.0")
    write("beta", "0.6b0")
    commit("Release 1.1.0")

    def scope() -> dict[str, Reason]:
        packages = tuple(_package(tmp_path, name, v) for name, v in versions_now.items())
        model = Monorepo(tmp_path, packages)
        tags = git_module.tags_in_history(tmp_path)
        changes = read_changes(settings, model, tags)
        return {p.name: p.reason for p in release_scope(settings, model, tags, changes).packages}

    assert scope() == {
        "app": Reason.VERSION_MOVED,
        "beta": Reason.VERSION_MOVED,
        "conformance": Reason.UNCHANGED,
    }
    (tmp_path / "packages" / "conformance" / "conformance.py").write_text("", encoding="utf-8")
    commit("A change to conformance")
    assert scope()["conformance"] is Reason.CHANGED
    conformance = _package(tmp_path, "conformance", "0.0.2")
    shared_last = (Version("0.0.2"), "1.0.0")
    (problem,) = versions.bump_problems(
        conformance, ["1.0.0"], settings, ChangesSince(("x",), 1), shared_last=shared_last
    )
    assert "conformance changed since 1.0.0 (1 commit, 1 file), still 0.0.2: bump it" in (
        problem.render()
    )
