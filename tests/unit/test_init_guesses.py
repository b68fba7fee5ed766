"""What `pytest-release init` reads off a repository: tag forms, versioning, version scheme,
per-package test suites, package folders outside a workspace, per-package changelogs; and
that the table it writes from them reads back as the gates' settings."""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING

import pytest

from pytest_release.commands.init import plan_scaffold
from pytest_release.commands.init_guesses import (
    Known,
    changelog_per_package,
    extra_package_folders,
    globbed,
    highest_tagged_version,
    mentions_a_release,
    per_package_tests,
    tag_settings,
    version_scheme,
    versioning,
)
from pytest_release.settings import resolve_settings
from pytest_release.target.monorepo import read_monorepo
from tests.plugin.repos import git

if TYPE_CHECKING:
    from pathlib import Path

LANGGRAPH = [
    Known("langgraph", "libs/langgraph", "1.2.11"),
    Known("langgraph-checkpoint", "libs/checkpoint", "4.2.0"),
    Known("langgraph-checkpoint-postgres", "libs/checkpoint-postgres", "3.1.2"),
    Known("langgraph-cli", "libs/cli", "0.4.31"),
]
HATCH = [Known("hatch", ".", None), Known("hatchling", "backend", "1.32.0")]


def test_tags_named_by_a_short_name_get_their_own_form() -> None:
    tags = ["1.2.10", "1.2.9", "checkpoint==4.2.0", "checkpointpostgres==3.1.1", "cli==0.4.30"]
    assert tag_settings([*tags, "not-a-release", "stable"], LANGGRAPH) == {
        "tag": "{version}",
        "tags": {
            "langgraph-checkpoint": "checkpoint=={version}",
            "langgraph-checkpoint-postgres": "checkpointpostgres=={version}",
            "langgraph-cli": "cli=={version}",
        },
    }


def test_tags_named_by_the_package_for_every_package_are_the_tag_form() -> None:
    # hatch's bare tags are from before hatchling had tags of its own
    tags = ["hatch-v1.17.1", "hatchling-v1.31.0", "hatchling-v1.30.0", "v1.0.0", "1.1.0"]
    assert tag_settings(tags, HATCH) == {"tag": "{name}-v{version}"}


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        pytest.param(["v1.43.0", "v1.42.1", "stable"], {}, id="the-default"),
        pytest.param(["25.4.0", "25.3.0"], {"tag": "{version}"}, id="bare-versions"),
        pytest.param([], {}, id="no-tags"),
    ],
)
def test_tags_of_one_form_for_the_repository(tags: list[str], expected: dict[str, str]) -> None:
    assert tag_settings(tags, [Known("attrs", ".", None)]) == expected


def test_the_highest_tagged_version_stands_in_for_a_computed_one() -> None:
    tags = ["v1.79.0", "v1.9.0", "v1.80.0rc1", "stable", "checkpoint==4.2.0"]
    assert highest_tagged_version(tags) == "4.2.0"
    assert highest_tagged_version(tags[:3]) == "1.80.0rc1"
    assert highest_tagged_version(["stable"]) == "0.0.0"


def test_packages_at_different_versions_or_tagged_by_name_move_independently() -> None:
    assert versioning(LANGGRAPH, {}) == "independent"
    assert versioning(HATCH, {"tag": "{name}-v{version}"}) == "independent"
    same = [Known("a", "a", "1.0.0"), Known("b", "b", "1.0.0")]
    assert versioning(same, {}) is None
    assert versioning(same[:1], {"tag": "{name}-v{version}"}) is None  # one package


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        pytest.param(["26.1.0"], "calver", id="a-two-digit-year"),
        pytest.param(["2025.3"], "calver", id="a-four-digit-year"),
        pytest.param(["1.44.0", "0.65b0"], "pep440", id="a-beta-line"),
        pytest.param(["1.2.3", "0.4.0rc1"], None, id="strict-semver"),
        pytest.param(["24.1.0"], None, id="a-version-of-24-is-no-recent-year"),
    ],
)
def test_the_version_scheme_the_versions_follow(versions: list[str], expected: str) -> None:
    packages = [Known(f"p{i}", f"p{i}", v) for i, v in enumerate(versions)]
    assert version_scheme(packages, (2026, 2025)) == expected


def test_packages_with_tests_of_their_own_run_them_one_by_one() -> None:
    command = per_package_tests(False, ["libs/a", "libs/my b"], plain_pytest=True)
    assert command == [
        "sh",
        "-c",
        "s=0; for d in libs/a 'libs/my b'; do (cd $d && pytest -q tests) || s=1; done; exit $s",
    ]
    assert per_package_tests(True, ["libs/a", "libs/b"], plain_pytest=True) is None  # a root
    assert per_package_tests(False, ["libs/a", "libs/b"], plain_pytest=False) is None  # testpaths
    assert per_package_tests(False, ["libs/a"], plain_pytest=True) is None


def test_buildable_projects_outside_the_members_but_not_fixtures() -> None:
    project = {"project": {"name": "x"}, "build-system": {"requires": ["hatchling"]}}
    pyprojects: dict[str, dict[str, object]] = {
        "pyproject.toml": project,
        "backend/pyproject.toml": project,
        "tests/fixtures/pkg/pyproject.toml": project,
        "libs/cli/examples/graph/pyproject.toml": project,
        "libs/cli/python-monorepo-example/pyproject.toml": project,
        "docs/pyproject.toml": project,
        "tools/pyproject.toml": {"project": {"name": "tools"}},  # no build-system
        "scripts/pyproject.toml": {"tool": {"ruff": {}}},
    }
    assert extra_package_folders(pyprojects, ["."]) == ["backend"]


def test_every_package_folder_of_a_parent_is_its_glob() -> None:
    siblings = {"libs": ["libs/a", "libs/b"], ".": ["."]}
    assert globbed([".", "libs/a", "libs/b"], siblings) == [".", "libs/*"]
    assert globbed(["libs/a"], {"libs": ["libs/a", "libs/b"]}) == ["libs/a"]


def test_a_changelog_names_one_of_the_last_releases() -> None:
    tags = [f"v1.{minor}.0" for minor in range(70, 80)]
    upgrade_guide = "# Upgrade Guide\n### v1.0.1 (2025-09-05)\n### v1.0.0\n"
    assert not mentions_a_release(upgrade_guide, tags)
    assert mentions_a_release("## Version 1.77.0/0.64b0\n", tags)
    assert not mentions_a_release("## 11.79.0\n## 1.79.01\n", tags)  # not the same number
    assert mentions_a_release("# Changelog\n", [])  # nothing released to name


def test_one_changelog_per_package() -> None:
    files = ["docs/history/hatch.md", "docs/history/hatchling.md", "docs/index.md"]
    assert changelog_per_package(files, HATCH) == "docs/history/{name}.md"
    folders = [Known("a", "libs/a", "1.0.0"), Known("b", "libs/b", "1.0.0")]
    assert changelog_per_package(["libs/a/CHANGELOG.md", "libs/b/CHANGELOG.md"], folders) == (
        "{folder}/CHANGELOG.md"
    )
    assert changelog_per_package(["libs/a/CHANGELOG.md"], folders) is None


def _repo(root: Path, files: dict[str, str], tags: list[str]) -> None:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    for tag in tags:
        git(root, "tag", tag)


HATCHLING = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def test_init_of_a_root_package_and_its_backend_versioned_from_tags(tmp_path: Path) -> None:
    root_project = (
        '[project]\nname = "hatch"\ndynamic = ["version"]\ndependencies = ["hatchling>=1.0"]\n'
        '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n'
        'build-backend = "hatchling.build"\n[tool.hatch.version]\nsource = "vcs"\n'
    )
    files = {
        "pyproject.toml": root_project,
        "src/hatch/__init__.py": "",
        "backend/pyproject.toml": f'[project]\nname = "hatchling"\nversion = "1.2.0"\n{HATCHLING}',
        "backend/src/hatchling/__init__.py": "",
        "tests/fixtures/demo/pyproject.toml": f'[project]\nname = "demo"\n{HATCHLING}',
        "docs/history/hatch.md": "# hatch\n",
        "docs/history/hatchling.md": "# hatchling\n",
    }
    _repo(tmp_path, files, ["hatch-v1.0.0", "hatchling-v1.1.0", "v0.9.0"])

    scaffold = plan_scaffold(tmp_path, years=(2026, 2025))

    assert (scaffold.problems, scaffold.packages) == (None, ("hatchling", "hatch"))
    written = scaffold.files[tmp_path / "pyproject.toml"]
    assert tomllib.loads(written)["tool"]["pytest-release"] == {
        "packages": [".", "backend"],
        "changelog": "docs/history/{name}.md",
        "tag": "{name}-v{version}",
        "versioning": "independent",
    }
    assert scaffold.from_tags
    assert scaffold.notes == (
        "the version of hatch is computed from git tags (hatch-vcs); give the release "
        "version on every run: pytest release_tests --release-version X.Y.Z",
    )
    (tmp_path / "pyproject.toml").write_text(written, encoding="utf-8")
    settings = resolve_settings(tmp_path, {"release-version": "1.1.0"}, {})
    monorepo = read_monorepo(tmp_path, settings.packages, settings.release_version)
    assert monorepo.publish_order == ("hatchling", "hatch")


def test_init_takes_no_upgrade_guide_for_the_changelog(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": f'[project]\nname = "ai"\nversion = "1.80.0"\n{HATCHLING}',
        "ai/__init__.py": "",
        "docs/changelog.md": "# Upgrade Guide\n## Breaking Changes\n### v1.0.0\n",
    }
    _repo(tmp_path, files, ["v1.0.0", *(f"v1.{minor}.0" for minor in range(70, 80))])
    scaffold = plan_scaffold(tmp_path)
    written = scaffold.files[tmp_path / "pyproject.toml"]
    assert tomllib.loads(written)["tool"]["pytest-release"]["changelog"] is False
    (tmp_path / "docs/changelog.md").write_text("# Changelog\n## 1.79.0\n", encoding="utf-8")
    written = plan_scaffold(tmp_path).files[tmp_path / "pyproject.toml"]
    assert tomllib.loads(written)["tool"]["pytest-release"]["changelog"] == "docs/changelog.md"


def test_init_of_libs_tagged_and_tested_one_by_one(tmp_path: Path) -> None:
    files = {"pyproject.toml": "[tool.ruff]\nline-length = 100\n", "libs/sdk-js/package.json": ""}
    for folder, name, version in (
        ("langgraph", "langgraph", "1.2.11"),
        ("checkpoint", "langgraph-checkpoint", "4.2.0"),
        ("checkpoint-postgres", "langgraph-checkpoint-postgres", "3.1.2"),
    ):
        project = f'[project]\nname = "{name}"\nversion = "{version}"\n{HATCHLING}'
        files[f"libs/{folder}/pyproject.toml"] = project
        files[f"libs/{folder}/{name.replace('-', '_')}/__init__.py"] = ""
        files[f"libs/{folder}/tests/test_it.py"] = "def test_it():\n    pass\n"
    _repo(tmp_path, files, ["1.2.10", "checkpoint==4.1.0", "checkpointpostgres==3.1.1"])

    scaffold = plan_scaffold(tmp_path, years=(2026, 2025))

    assert not scaffold.from_tags
    written = scaffold.files[tmp_path / "pyproject.toml"]
    assert "tags.langgraph-checkpoint = " in written  # one package a line
    table = tomllib.loads(written)["tool"]["pytest-release"]
    script = (
        "s=0; for d in libs/checkpoint libs/checkpoint-postgres libs/langgraph; "
        "do (cd $d && pytest -q tests) || s=1; done; exit $s"
    )
    assert table == {
        "packages": ["libs/*"],
        "changelog": False,
        "tag": "{version}",
        "tags": {
            "langgraph-checkpoint": "checkpoint=={version}",
            "langgraph-checkpoint-postgres": "checkpointpostgres=={version}",
        },
        "versioning": "independent",
        "test-command": ["sh", "-c", script],
    }
    (tmp_path / "pyproject.toml").write_text(written, encoding="utf-8")
    settings = resolve_settings(tmp_path, {}, {})
    assert settings.tag.format(name="langgraph-checkpoint", version="4.2.0") == "checkpoint==4.2.0"
    assert settings.test_command == ("sh", "-c", script)
    assert len(read_monorepo(tmp_path, settings.packages).packages) == 3
