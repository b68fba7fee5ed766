"""release_plan and scaffold: what `pytest-release plan` and `init` compute."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

import pytest

from pytest_release.cli import main
from pytest_release.commands.init import GUARD_CONFTEST, gate_modules, plan_scaffold, settings_table
from pytest_release.commands.plan import (
    ReleasePlan,
    computed_versions,
    plan_release,
    render_plan,
)
from pytest_release.settings import KEYS, resolve_settings
from pytest_release.target.monorepo import read_monorepo
from pytest_release.target.vcs_version import VcsTool
from tests.plugin.gate_runs import SUITE
from tests.plugin.repos import git
from tests.plugin.trees import copy_example

ORDER = ["aetherflow-core", "aetherflow-scheduler", "aetherflow"]


def _plan(root: Path, release: str | None = None, tags: tuple[str, ...] = ()) -> ReleasePlan:
    settings = resolve_settings(root, {"release-version": release}, {})
    monorepo = read_monorepo(root, settings.packages)
    return plan_release(settings, monorepo, tags, today=date.today(), changes={})


def test_plan_of_the_example_as_it_is(tmp_path: Path) -> None:
    plan = _plan(copy_example(tmp_path), tags=("v0.1.0",))
    assert plan.problems == ()
    assert (plan.release, plan.last_release, plan.tags) == ("0.2.0", "0.1.0", ("v0.2.0",))
    assert [p.name for p in plan.packages] == ORDER
    assert [(p.current, p.next) for p in plan.packages] == [("0.2.0", "0.2.0")] * 3
    assert plan.packages[2].requires == (
        "aetherflow-core<0.3,>=0.2",
        "aetherflow-scheduler<0.3,>=0.2",
    )
    assert plan.bump_files == ()


def test_plan_of_a_new_version_is_made_on_the_bumped_repo(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    plan = _plan(root, "0.3.0", tags=("v0.2.0",))
    assert plan.problems == ()
    assert [(p.current, p.next) for p in plan.packages] == [("0.2.0", "0.3.0")] * 3
    assert plan.packages[1].requires == ("aetherflow-core<0.4,>=0.2",)  # only <0.3 moved
    assert plan.tags == ("v0.3.0",)
    assert "CHANGELOG.md" in plan.bump_files
    text = render_plan(plan)
    assert "publish order: aetherflow-core -> aetherflow-scheduler -> aetherflow" in text
    assert "tags: v0.3.0" in text
    assert (root / "packages/aetherflow/pyproject.toml").read_text(encoding="utf-8").count(
        "0.2.0"
    ) == 1  # nothing written


@pytest.mark.parametrize(
    ("release", "tags", "message"),
    [
        (None, ("v0.2.0",), "aetherflow-core 0.2.0 is equal to the last release 0.2.0"),
        ("0.1.5", (), "0.1.5 is below the current version 0.2.0"),
        ("0.2", (), "has 2 release parts"),
    ],
)
def test_impossible_plans_say_why(
    tmp_path: Path, release: str | None, tags: tuple[str, ...], message: str
) -> None:
    plan = _plan(copy_example(tmp_path), release, tags)
    assert any(message in problem.what for problem in plan.problems), plan.problems
    assert plan.as_json()["possible"] is False


def test_plan_as_json(tmp_path: Path) -> None:
    document = json.loads(json.dumps(_plan(copy_example(tmp_path), "0.3.0").as_json()))
    assert document["publish_order"] == ORDER
    assert document["packages"][0] == {
        "name": "aetherflow-core",
        "folder": "packages/aetherflow-core",
        "current": "0.2.0",
        "next": "0.3.0",
        "requires": [],
        "released": True,
        "why": "lockstep versioning releases every package",
    }
    assert (document["tags"], document["problems"], document["possible"]) == (["v0.3.0"], [], True)


def test_init_writes_the_same_modules_this_repo_ships() -> None:
    shipped = {path.name: path.read_text(encoding="utf-8") for path in SUITE.glob("test_*.py")}
    assert gate_modules() == shipped


def test_settings_table_lists_the_packages_and_comments_every_default() -> None:
    text = settings_table(["packages/a", "packages/b"])
    assert tomllib.loads(text) == {
        "tool": {"pytest-release": {"packages": ["packages/a", "packages/b"]}}
    }
    for key in KEYS:
        assert f"# {key} = " in text or key == "packages"
    uncommented = "\n".join(line.lstrip("# ") for line in text.splitlines()[3:])
    assert set(tomllib.loads(uncommented)) == set(KEYS)  # each default is valid TOML


def test_plan_scaffold_into_a_repo_with_a_pyproject(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    scaffold = plan_scaffold(root)
    assert scaffold.packages == tuple(ORDER)
    assert scaffold.kept == ("[tool.pytest-release] in pyproject.toml",)  # the example has one
    assert root / "pyproject.toml" not in scaffold.files
    # The example's own testpaths keep a plain `pytest` out of release_tests/: no guard.
    assert sorted(path.name for path in scaffold.files) == sorted(gate_modules())
    assert scaffold.conflicts == ()


def test_plan_scaffold_adds_the_table_and_the_guard(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "one"\nversion = "1.0.0"\n')
    (tmp_path / "release_tests").mkdir()
    (tmp_path / "release_tests" / "test_00_preflight.py").write_text("# mine\n")
    scaffold = plan_scaffold(tmp_path)
    assert scaffold.conflicts == (tmp_path / "release_tests" / "test_00_preflight.py",)
    assert scaffold.files[tmp_path / "release_tests" / "conftest.py"] == GUARD_CONFTEST
    pyproject = tomllib.loads(scaffold.files[tmp_path / "pyproject.toml"])
    # No changelog file here: the notes are kept elsewhere, and the table says so.
    assert pyproject["tool"]["pytest-release"] == {"packages": ["."], "changelog": False}
    assert pyproject["project"]["name"] == "one"


UV_WORKSPACE = {
    "pyproject.toml": '[project]\nname = "monorepo"\nversion = "0.0.0"\n\n[tool.uv]\n'
    'package = false\n\n[tool.uv.workspace]\nmembers = ["libs/*", "libs/partners/*"]\n'
    'exclude = ["libs/partners/old"]\n',
    "libs/core/pyproject.toml": '[project]\nname = "core"\nversion = "1.0.0"\n',
    "libs/partners/openai/pyproject.toml": '[project]\nname = "openai"\nversion = "1.0.0"\n',
    "libs/partners/old/pyproject.toml": '[project]\nname = "old"\nversion = "1.0.0"\n',
    "libs/sdk-js/package.json": "{}\n",
}


def test_init_writes_the_workspace_members_it_found(tmp_path: Path) -> None:
    for relative, text in UV_WORKSPACE.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    scaffold = plan_scaffold(tmp_path)
    assert scaffold.problems is None
    assert scaffold.packages == ("core", "openai")
    written = tomllib.loads(scaffold.files[tmp_path / "pyproject.toml"])
    assert written["tool"]["pytest-release"] == {
        "packages": ["libs/core", "libs/partners/openai"],
        "changelog": False,
    }
    # What it wrote reads back as the same packages.
    (tmp_path / "pyproject.toml").write_text(scaffold.files[tmp_path / "pyproject.toml"])
    settings = resolve_settings(tmp_path, {}, {})
    assert read_monorepo(tmp_path, settings.packages).publish_order == ("core", "openai")


def test_init_gives_packages_with_test_requirements_of_their_own_a_venv_each(
    tmp_path: Path,
) -> None:
    files = {**UV_WORKSPACE}
    for folder in ("libs/core", "libs/partners/openai"):
        files[f"{folder}/tests/test_it.py"] = "def test_it():\n    pass\n"
        files[f"{folder}/test-requirements.txt"] = "pytest==8.3.0\n"
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    scaffold = plan_scaffold(tmp_path)
    written = tomllib.loads(scaffold.files[tmp_path / "pyproject.toml"])["tool"]["pytest-release"]
    assert (written["test-env"], written["test-command"]) == ("per-package", "pytest -q tests")
    assert any('test-env = "per-package"' in note for note in scaffold.notes)


def test_init_that_finds_no_package_writes_no_empty_list(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    scaffold = plan_scaffold(tmp_path)
    assert scaffold.problems is not None
    assert "no package found" in scaffold.problems
    text = scaffold.files[tmp_path / "pyproject.toml"]
    assert tomllib.loads(text)["tool"]["pytest-release"] == {"changelog": False}
    assert '# packages = ["libs/*"]  # none was found: list them' in text
    resolve_settings(tmp_path, {}, {})  # the table it wrote is valid


def test_plan_of_a_pep440_repo_with_its_own_tags(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    config = root / "pyproject.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'versioning = "lockstep"',
            'versioning = "independent"\nversion-scheme = "pep440"\n'
            'tags = { aetherflow-core = "core=={version}" }',
        ),
        encoding="utf-8",
    )
    core = root / "packages" / "aetherflow-core" / "pyproject.toml"
    core.write_text(
        core.read_text(encoding="utf-8").replace('version = "0.2.0"', 'version = "0.65b0"'),
        encoding="utf-8",
    )
    for name in ("aetherflow", "aetherflow-scheduler"):
        dependent = root / "packages" / name / "pyproject.toml"
        dependent.write_text(
            dependent.read_text(encoding="utf-8").replace(
                "aetherflow-core>=0.2,<0.3", "aetherflow-core>=0.65b0,<0.66"
            ),
            encoding="utf-8",
        )
    plan = _plan(root, tags=("v0.1.0", "core==0.64b0"))
    assert plan.problems == ()
    assert plan.tag_format == "v{version}; aetherflow-core: core=={version}"
    assert plan.tags == ("core==0.65b0", "v0.2.0")


def test_a_long_list_of_packages_is_written_one_a_line() -> None:
    folders = [f"exporter/opentelemetry-exporter-{name}" for name in ("otlp", "zipkin", "b3")]
    text = settings_table(folders)
    assert 'packages = [\n  "exporter/opentelemetry-exporter-otlp",\n' in text
    assert tomllib.loads(text)["tool"]["pytest-release"] == {"packages": folders}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(["CHANGELOG.md"], None, id="the-default"),
        pytest.param(["docs/changelog.md"], "docs/changelog.md", id="elsewhere"),
        pytest.param(["CHANGES.rst", "NEWS.md"], "CHANGES.rst", id="the-most-common-first"),
        pytest.param([], False, id="none"),
    ],
)
def test_init_names_the_changelog_it_found(
    tmp_path: Path, files: list[str], expected: str | bool | None
) -> None:
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# Changelog\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.0"\n')

    scaffold = plan_scaffold(tmp_path)

    table = tomllib.loads(scaffold.files[tmp_path / "pyproject.toml"])["tool"]["pytest-release"]
    assert table.get("changelog") == expected


def test_plan_without_a_release_version_of_packages_versioned_from_tags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "attrs"\ndynamic = ["version"]\n'
        '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n'
        'build-backend = "hatchling.build"\n[tool.hatch.version]\nsource = "vcs"\n'
        '[tool.pytest-release]\ntag = "{version}"\n',
        encoding="utf-8",
    )
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    git(tmp_path, "tag", "25.4.0")
    assert computed_versions(tmp_path, None) == {"attrs": VcsTool.HATCH_VCS}

    assert main(["plan", "--monorepo", str(tmp_path)]) == 2  # one paragraph, not a plan of "?"
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        "pytest-release plan: error: the version of attrs is computed from git tags by "
        "hatch-vcs: the release's version is the tag the gates make, not one written in the "
        "files. Give the release to plan: pytest-release plan --release-version X.Y.Z (the "
        "last release is 25.4.0)\n",
    )
    assert main(["plan", "--monorepo", str(tmp_path), "--release-version", "26.1.0"]) == 0
    assert "tags: 26.1.0" in capsys.readouterr().out
