"""Reading a target repo: discovery, problems, publish order, versions, import packages."""

from __future__ import annotations

import pickle
import textwrap
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from pytest_release.problems import Problem
from pytest_release.target.monorepo import (
    Monorepo,
    MonorepoError,
    Package,
    read_monorepo,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path


def write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def project(name: str, *deps: str, version: str = "1.0.0", extra: str = "") -> str:
    listed = ", ".join(f'"{dep}"' for dep in deps)
    return f'[project]\nname = "{name}"\nversion = "{version}"\ndependencies = [{listed}]\n{extra}'


def problems_of(root: Path, patterns: Sequence[str] | None = None) -> tuple[Problem, ...]:
    with pytest.raises(MonorepoError) as caught:
        read_monorepo(root, patterns)
    return caught.value.problems


# --- discovery --------------------------------------------------------------------------------


def test_reads_every_package_under_packages(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "[tool.pytest-release]\nbranch = 'main'\n",
            "packages/core/pyproject.toml": """
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"

                [project]
                name = "Aetherflow_Core"
                version = "1.2.0"
                dependencies = ["packaging>=24", "tomli; python_version < '3.11'"]

                [project.optional-dependencies]
                test = ["pytest>=8"]

                [project.scripts]
                aetherflow = "aetherflow.core.cli:main"

                [project.gui-scripts]
                aetherflow-gui = "aetherflow.core.gui:main"
            """,
            "packages/cli/pyproject.toml": project("aetherflow-cli", "aetherflow-core>=1.2"),
            "packages/notes/README.md": "not a package\n",
        },
    )
    repo = read_monorepo(tmp_path)
    assert repo.root == tmp_path.resolve()
    assert repo.publish_order == ("Aetherflow_Core", "aetherflow-cli")
    core = repo.package("aetherflow-core")
    assert core.key == "aetherflow-core"
    assert core.folder == tmp_path.resolve() / "packages" / "core"
    assert core.pyproject == core.folder / "pyproject.toml"
    assert core.relative_folder(repo.root) == "packages/core"
    assert core.version_text == "1.2.0"
    assert core.version == Version("1.2.0")
    assert core.version_source == "packages/core/pyproject.toml [project] version"
    assert core.version_error is None
    assert core.build_backend == "hatchling.build"
    assert [str(req) for req in core.dependencies] == [
        "packaging>=24",
        'tomli; python_version < "3.11"',
    ]
    assert {
        extra: [str(r) for r in reqs] for extra, reqs in core.optional_dependencies.items()
    } == {"test": ["pytest>=8"]}
    assert dict(core.scripts) == {
        "aetherflow": "aetherflow.core.cli:main",
        "aetherflow-gui": "aetherflow.core.gui:main",
    }
    assert repo.package("aetherflow-cli").build_backend == "setuptools.build_meta:__legacy__"


def test_a_root_project_is_a_single_package_repo(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": project("solo", version="0.3.0")})
    repo = read_monorepo(tmp_path)
    (solo,) = repo.packages
    assert (solo.name, solo.folder, solo.version_text) == ("solo", tmp_path.resolve(), "0.3.0")
    assert solo.version_source == "pyproject.toml [project] version"
    assert solo.relative_folder(repo.root) == "."
    assert repo.top_packages == (solo,)


def test_packages_folders_win_over_a_root_project(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"pyproject.toml": project("workspace"), "packages/a/pyproject.toml": project("a")},
    )
    assert read_monorepo(tmp_path).publish_order == ("a",)


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        pytest.param(["libs/*"], ("alpha", "beta"), id="glob"),
        pytest.param(["tools/cli"], ("cli",), id="explicit-folder"),
        pytest.param(["tools/cli", "libs/*", "libs/alpha"], ("alpha", "beta", "cli"), id="both"),
        pytest.param(["."], ("root-meta",), id="the-root-itself"),
    ],
)
def test_package_patterns_choose_the_folders(
    tmp_path: Path, patterns: list[str], expected: tuple[str, ...]
) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": project("root-meta"),
            "libs/alpha/pyproject.toml": project("alpha"),
            "libs/beta/pyproject.toml": project("beta"),
            "libs/.cache/notes.txt": "hidden folders are not packages\n",
            "libs/README.md": "files are not packages\n",
            "tools/cli/pyproject.toml": project("cli"),
            "packages/ignored/pyproject.toml": project("ignored"),
        },
    )
    assert read_monorepo(tmp_path, patterns).publish_order == expected


def test_a_pattern_matching_nothing_is_located_in_the_root_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.pytest-release]\npackages = [\n  "libs/*",\n  "nowhere",\n]\n',
            "libs/a/pyproject.toml": project("a"),
        },
    )
    (problem,) = problems_of(tmp_path, ["libs/*", "nowhere"])
    root = tmp_path.resolve()
    assert problem.what == (
        f"[tool.pytest-release] packages entry 'nowhere' names no folder under {root}"
    )
    assert problem.where == "pyproject.toml, line 4"
    assert str(tmp_path.resolve() / "pyproject.toml") in problem.fix
    assert "[tool.pytest-release] packages" in problem.fix


def test_a_globbed_folder_without_pyproject_is_skipped(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "libs/a/pyproject.toml": project("a"),
            "libs/docs/index.md": "# docs\n",
            "libs/sdk-js/package.json": "{}\n",
        },
    )
    assert read_monorepo(tmp_path, ["libs/*"]).publish_order == ("a",)


@pytest.mark.parametrize(
    ("patterns", "line", "what"),
    [
        pytest.param(
            ["libs/*", "libs/docs"],
            4,
            "[tool.pytest-release] packages entry 'libs/docs' names libs/docs, which has no "
            "pyproject.toml",
            id="named-outright",
        ),
        pytest.param(
            ["libs/*", "docs/*"],
            4,
            "[tool.pytest-release] packages entry 'docs/*' matches no folder with a "
            "pyproject.toml under {root} (it matches docs/api)",
            id="glob-matching-no-package",
        ),
    ],
)
def test_a_folder_without_pyproject_that_is_asked_for_is_a_problem(
    tmp_path: Path, patterns: list[str], line: int, what: str
) -> None:
    listed = "".join(f'  "{pattern}",\n' for pattern in patterns)
    write(
        tmp_path,
        {
            "pyproject.toml": f"[tool.pytest-release]\npackages = [\n{listed}]\n",
            "libs/a/pyproject.toml": project("a"),
            "libs/docs/index.md": "# docs\n",
            "docs/api/index.md": "# api\n",
        },
    )
    (problem,) = problems_of(tmp_path, patterns)
    assert problem.what == what.format(root=tmp_path.resolve())
    assert problem.where == f"pyproject.toml, line {line}"


WORKSPACE = """
    [tool.uv.workspace]
    members = ["libs/*", "libs/partners/*", "tools/*", "tests/test-utils"]
    exclude = ["libs/partners/legacy*"]
"""
VIRTUAL_ROOT = '[project]\nname = "monorepo"\nversion = "0.0.0"\n\n[tool.uv]\npackage = false\n'
WORKSPACE_FOLDERS = {
    "libs/core/pyproject.toml": project("core"),
    "libs/partners/openai/pyproject.toml": project("partner-openai", "core"),
    "libs/partners/legacy-v1/pyproject.toml": project("partner-legacy", "core"),
    "libs/sdk-js/package.json": "{}\n",
    "libs/.cache/pyproject.toml": project("hidden"),
    "tools/cli/pyproject.toml": project("cli", "core"),
    "tests/test-utils/pyproject.toml": project(
        "test-utils", extra="\n[tool.uv]\npackage = false\n"
    ),
    "tools/codegen/pyproject.toml": project(
        "codegen", extra='classifiers = ["Private :: Do Not Upload"]\n'
    ),
    "packages/ignored/pyproject.toml": project("ignored"),
}


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        pytest.param(VIRTUAL_ROOT + WORKSPACE, ("core", "cli", "partner-openai"), id="virtual"),
        pytest.param(
            "[tool.ruff]\nline-length = 100\n" + WORKSPACE,
            ("core", "cli", "partner-openai"),
            id="root-without-project",
        ),
        pytest.param(
            project("monorepo", "cli") + WORKSPACE,
            ("core", "cli", "monorepo", "partner-openai"),
            id="root-package",
        ),
        pytest.param(
            VIRTUAL_ROOT
            + '[tool.uv.workspace]\nmembers = ["libs/**"]\nexclude = ["libs/partners/legacy-v1"]\n',
            ("core", "partner-openai"),
            id="recursive-glob",
        ),
    ],
)
def test_uv_workspace_members_are_the_packages(
    tmp_path: Path, root: str, expected: tuple[str, ...]
) -> None:
    """Members and exclude (globs, nested); virtual and Private :: projects left out."""
    write(tmp_path, {"pyproject.toml": root, **WORKSPACE_FOLDERS})
    assert read_monorepo(tmp_path).publish_order == expected


def test_a_uv_member_named_outright_must_be_there(tmp_path: Path) -> None:
    members = '[tool.uv.workspace]\nmembers = [\n  "libs/*",\n  "tools/gone",\n]\n'
    write(tmp_path, {"pyproject.toml": members, "libs/core/pyproject.toml": project("core")})
    (problem,) = problems_of(tmp_path)
    assert problem.what == (
        f"[tool.uv.workspace] members entry 'tools/gone' names no folder under {tmp_path.resolve()}"
    )
    assert problem.where == "pyproject.toml, line 4"
    assert "or list the packages to release in [tool.pytest-release] packages" in problem.fix


def test_listed_packages_win_over_the_workspace(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": VIRTUAL_ROOT + WORKSPACE, **WORKSPACE_FOLDERS})
    assert read_monorepo(tmp_path, ["tools/cli", "libs/core"]).publish_order == ("core", "cli")


@pytest.mark.parametrize(
    ("sources", "problem_in"),
    [
        pytest.param("", None, id="no-sources"),
        pytest.param("core = { workspace = true }\n", None, id="a-package"),
        pytest.param("gone = { workspace = true }\n", "cli", id="not-a-package"),
        pytest.param(
            "gone = [{ workspace = true, marker = \"sys_platform == 'linux'\" }]\n",
            "cli",
            id="by-marker",
        ),
        pytest.param('gone = { git = "https://example.invalid/gone" }\n', None, id="from-git"),
    ],
)
def test_a_requirement_taken_from_the_workspace_must_be_a_package(
    tmp_path: Path, sources: str, problem_in: str | None
) -> None:
    root = VIRTUAL_ROOT + '[tool.uv.workspace]\nmembers = ["libs/*"]\n'
    write(
        tmp_path,
        {
            "pyproject.toml": root + "\n[tool.uv.sources]\n" + sources,
            "libs/core/pyproject.toml": project("core"),
            "libs/cli/pyproject.toml": project("cli", "core>=1", "Gone>=1"),
        },
    )
    if problem_in is None:
        assert read_monorepo(tmp_path).publish_order == ("core", "cli")
        return
    (problem,) = problems_of(tmp_path)
    assert problem.what == (
        "cli requires Gone>=1, which [tool.uv.sources] takes from the workspace, but Gone is "
        "not among the packages found"
    )
    assert problem.where == "libs/cli/pyproject.toml"


@pytest.mark.parametrize(
    ("files", "patterns", "expected_what"),
    [
        pytest.param({}, None, "no packages/*/pyproject.toml", id="empty-folder"),
        pytest.param(
            {"pyproject.toml": VIRTUAL_ROOT},
            None,
            "one with [tool.uv] package = false or a Private :: classifier is none",
            id="virtual-root",
        ),
        pytest.param(
            {"pyproject.toml": "[tool.ruff]\nline-length = 100\n"},
            None,
            "no [project] table in the root pyproject.toml",
            id="root-without-project",
        ),
        pytest.param({}, [], "[tool.pytest-release] packages is empty", id="empty-patterns"),
    ],
)
def test_no_package_found_says_how_to_configure_packages(
    tmp_path: Path, files: dict[str, str], patterns: list[str] | None, expected_what: str
) -> None:
    write(tmp_path, files)
    (problem,) = problems_of(tmp_path, patterns)
    assert problem.what.startswith(f"no package found in {tmp_path.resolve()}: ")
    assert expected_what in problem.what
    assert problem.where == "pyproject.toml"
    assert '[tool.pytest-release] packages = ["libs/*"]' in problem.fix


# --- publish order ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirements", "expected"),
    [
        pytest.param(
            {"meta": ["mid"], "mid": ["base>=1"], "base": []}, ("base", "mid", "meta"), id="chain"
        ),
        pytest.param(
            {"top": ["left", "right"], "left": ["core"], "right": ["core"], "core": []},
            ("core", "left", "right", "top"),
            id="diamond",
        ),
        pytest.param({"zeta": [], "alpha": [], "mu": []}, ("alpha", "mu", "zeta"), id="ties"),
        pytest.param(
            {"b-lib": [], "a-app": ["b-lib"], "c-tool": []},
            ("b-lib", "a-app", "c-tool"),
            id="smallest-ready-name-first",
        ),
        pytest.param(
            {"app": ["lib[fast,extra]>=1.0; python_version >= '3.8'"], "lib": []},
            ("lib", "app"),
            id="extras-and-markers",
        ),
        pytest.param(
            {"aetherflow-cli": ["Aetherflow_Core==1.0"], "aetherflow-core": []},
            ("aetherflow-core", "aetherflow-cli"),
            id="other-spelling",
        ),
        pytest.param(
            {"app": ["requests", "app[extra]"], "lib": []}, ("app", "lib"), id="external-and-self"
        ),
    ],
)
def test_publish_order_puts_requirements_first(
    tmp_path: Path, requirements: dict[str, list[str]], expected: tuple[str, ...]
) -> None:
    write(
        tmp_path,
        {
            f"packages/{name}/pyproject.toml": project(name, *deps)
            for name, deps in requirements.items()
        },
    )
    repo = read_monorepo(tmp_path)
    assert repo.publish_order == expected
    assert tuple(package.name for package in repo.packages) == expected


def test_what_an_extra_asks_for_comes_first_where_it_closes_no_cycle(tmp_path: Path) -> None:
    extra = '[project.optional-dependencies]\nplugins = ["zz-plugin>=1"]\n'
    write(
        tmp_path,
        {
            "packages/aa/pyproject.toml": project("aa", extra=extra),
            "packages/zz/pyproject.toml": project("zz-plugin"),
        },
    )
    repo = read_monorepo(tmp_path)
    assert repo.publish_order == ("zz-plugin", "aa")
    aa, zz = repo.package("aa"), repo.package("zz-plugin")
    assert [str(r) for r in repo.internal_requirements(aa)] == ["zz-plugin>=1"]
    assert repo.internal_dependencies(aa) == ()
    assert repo.reachable([aa]) == (zz,)


@pytest.mark.parametrize(
    ("requirements", "extras", "expected"),
    [
        pytest.param(
            {"sdk": ["api"], "configuration": ["sdk"], "api": []},
            {"sdk": {"file-configuration": ["configuration"]}},
            ("api", "sdk", "configuration"),
            id="through-an-extra",
        ),
        pytest.param(
            {"sdk": [], "configuration": ["sdk[file-configuration]"]},
            {"sdk": {"file-configuration": ["configuration>=1"]}},
            ("sdk", "configuration"),
            id="required-with-the-extra",
        ),
        pytest.param(
            {"a": [], "b": []},
            {"a": {"x": ["b"]}, "b": {"y": ["a"]}},
            ("a", "b"),
            id="extras-both-ways",
        ),
    ],
)
def test_a_cycle_through_an_extra_does_not_stop_a_release(
    tmp_path: Path,
    requirements: dict[str, list[str]],
    extras: dict[str, dict[str, list[str]]],
    expected: tuple[str, ...],
) -> None:
    """pip installs sdk[file-configuration] although configuration requires sdk: the publish
    order follows required dependencies."""
    files = {}
    for name, deps in requirements.items():
        tables = "".join(
            f"{extra} = [{', '.join(repr(d) for d in extra_deps)}]\n"
            for extra, extra_deps in extras.get(name, {}).items()
        )
        optional = f"[project.optional-dependencies]\n{tables}" if tables else ""
        files[f"packages/{name}/pyproject.toml"] = project(name, *deps, extra=optional)
    write(tmp_path, files)
    repo = read_monorepo(tmp_path)
    assert repo.publish_order == expected
    # What a package needs placed before it: never one that comes later.
    for index, package in enumerate(repo.packages):
        assert set(repo.reachable([package])) <= set(repo.packages[:index])


def test_graph_queries(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "packages/core/pyproject.toml": project("aetherflow-core"),
            "packages/sched/pyproject.toml": project(
                "aetherflow-scheduler", "aetherflow-core>=1", "croniter"
            ),
            "packages/cli/pyproject.toml": project(
                "aetherflow-cli", "Aetherflow.Core>=1", "click", "aetherflow-scheduler"
            ),
            "packages/meta/pyproject.toml": project(
                "aetherflow", "aetherflow-cli==1.0.0", "aetherflow-scheduler==1.0.0"
            ),
        },
    )
    repo = read_monorepo(tmp_path)
    names = ("aetherflow-core", "AETHERFLOW_SCHEDULER", "Aetherflow.CLI", "aetherflow")
    core, sched, cli, meta = (repo.package(name) for name in names)
    assert repo.publish_order == (
        "aetherflow-core",
        "aetherflow-scheduler",
        "aetherflow-cli",
        "aetherflow",
    )
    assert [str(r) for r in repo.internal_requirements(cli)] == [
        "Aetherflow.Core>=1",
        "aetherflow-scheduler",
    ]
    assert repo.internal_requirements(core) == ()
    assert repo.dependents(core) == (sched, cli)
    assert repo.dependents(meta) == ()
    assert repo.top_packages == (meta,)
    # Reached through one or more requirements, in publish order; the start only if reached.
    assert repo.reachable([meta]) == (core, sched, cli)
    assert repo.reachable([sched]) == (core,)
    assert repo.reachable([core]) == ()
    assert repo.reachable([meta], lambda package: [sched] if package is meta else []) == (sched,)


@pytest.mark.parametrize("name", ["core", "aetherflow", "aetherflow-cor"])
def test_package_lookup_of_an_unknown_name_is_a_key_error(tmp_path: Path, name: str) -> None:
    write(tmp_path, {"packages/core/pyproject.toml": project("aetherflow-core")})
    repo = read_monorepo(tmp_path)
    with pytest.raises(KeyError, match=f"'{name}' is not a package of .*aetherflow-core"):
        repo.package(name)
    assert repo.package("AETHERFLOW_CORE").name == "aetherflow-core"


@pytest.mark.parametrize(
    ("requirements", "expected_cycle", "expected_where"),
    [
        pytest.param(
            {
                "aetherflow-core": ["aetherflow-scheduler"],
                "aetherflow-scheduler": ["Aetherflow_Core"],
            },
            "aetherflow-core -> aetherflow-scheduler -> aetherflow-core",
            "packages/aetherflow-core/pyproject.toml, packages/aetherflow-scheduler/pyproject.toml",
            id="two",
        ),
        pytest.param(
            {"c": ["a"], "a": ["b"], "b": ["c"], "d": ["a"]},
            "a -> b -> c -> a",
            "packages/a/pyproject.toml, packages/b/pyproject.toml, packages/c/pyproject.toml",
            id="three-with-a-bystander",
        ),
    ],
)
def test_a_cycle_is_named_in_order(
    tmp_path: Path,
    requirements: dict[str, list[str]],
    expected_cycle: str,
    expected_where: str,
) -> None:
    write(
        tmp_path,
        {
            f"packages/{name}/pyproject.toml": project(name, *deps)
            for name, deps in requirements.items()
        },
    )
    (problem,) = problems_of(tmp_path)
    assert problem.what.startswith(f"internal dependencies form a cycle: {expected_cycle};")
    assert problem.where == expected_where
    assert problem.fix.startswith("break the cycle")


def test_two_separate_cycles_are_two_problems(tmp_path: Path) -> None:
    requirements = {"a": ["b"], "b": ["a"], "x": ["y"], "y": ["x"]}
    write(
        tmp_path,
        {
            f"packages/{name}/pyproject.toml": project(name, *deps)
            for name, deps in requirements.items()
        },
    )
    cycles = [problem.what.split(";")[0] for problem in problems_of(tmp_path)]
    assert cycles == [
        "internal dependencies form a cycle: a -> b -> a",
        "internal dependencies form a cycle: x -> y -> x",
    ]


# --- reading problems -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected_where", "expected_what"),
    [
        pytest.param(
            '[project]\nname = "x"\nversion 1\n',
            "packages/x/pyproject.toml, line 3, column 9",
            "malformed TOML: Expected '=' after a key in a key/value pair",
            id="line-and-column",
        ),
        pytest.param(
            '[project]\nname = "x\nversion = "1.0"\n',
            "packages/x/pyproject.toml, line 2, column 10",
            "malformed TOML: Illegal character '\\n'",
            id="unterminated-string",
        ),
        pytest.param(
            "[project]\nname =",
            "packages/x/pyproject.toml, end of file",
            "malformed TOML: Invalid value",
            id="end-of-document",
        ),
    ],
)
def test_malformed_toml_is_located(
    tmp_path: Path, text: str, expected_where: str, expected_what: str
) -> None:
    write(tmp_path, {"packages/x/pyproject.toml": text})
    (problem,) = problems_of(tmp_path)
    assert problem.where == expected_where
    assert problem.what == expected_what
    assert "TOML syntax" in problem.fix


def test_a_malformed_root_pyproject_is_reported_in_a_multi_package_repo(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "[tool.pytest-release]\npackages = [\n",
            "packages/a/pyproject.toml": project("a"),
        },
    )
    (problem,) = problems_of(tmp_path)
    assert problem.where.startswith("pyproject.toml")
    assert problem.what.startswith("malformed TOML: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "[build-system]\nrequires = []\n",
            Problem(
                "no [project] table",
                "packages/widget/pyproject.toml",
                'add a [project] table with name = "widget" and version = "0.1.0" '
                "(see https://packaging.python.org/en/latest/specifications/pyproject-toml/)",
            ),
            id="missing-project",
        ),
        pytest.param(
            '[build-system]\nrequires = []\n\n[project]\nversion = "1.0"\n',
            Problem(
                "[project] has no name",
                "packages/widget/pyproject.toml, line 4",
                'add name = "widget" under [project]: letters, digits, ".", "-" and "_", '
                "starting and ending with a letter or digit",
            ),
            id="missing-name",
        ),
        pytest.param(
            '[project]\nversion = "1.0"\nname = "my widget"\n',
            Problem(
                "[project].name 'my widget' is not a valid distribution name",
                "packages/widget/pyproject.toml, line 3",
                'add name = "widget" under [project]: letters, digits, ".", "-" and "_", '
                "starting and ending with a letter or digit",
            ),
            id="invalid-name",
        ),
    ],
)
def test_project_table_problems(tmp_path: Path, text: str, expected: Problem) -> None:
    write(tmp_path, {"packages/widget/pyproject.toml": text})
    assert problems_of(tmp_path) == (expected,)


def test_invalid_requirements_are_named_with_their_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "packages/x/pyproject.toml": """
                [project]
                name = "x"
                version = "1.0"
                dependencies = [
                    "good>=1",
                    "bad name>=1",
                ]

                [project.optional-dependencies]
                test = ["pytest>=8", "pytest[cov"]
            """
        },
    )
    first, second = problems_of(tmp_path)
    assert first.what.startswith("invalid requirement 'bad name>=1' in [project] dependencies: ")
    assert first.where == "packages/x/pyproject.toml, line 6"
    assert "PEP 508" in first.fix
    assert second.what.startswith(
        "invalid requirement 'pytest[cov' in [project] optional-dependencies test: "
    )
    assert second.where == "packages/x/pyproject.toml, line 10"


@pytest.mark.parametrize(
    ("extra", "expected_what", "expected_line"),
    [
        pytest.param(
            'dependencies = "requests"\n',
            "[project] dependencies is not an array of requirement strings",
            4,
            id="dependencies-string",
        ),
        pytest.param(
            'optional-dependencies = ["pytest"]\n',
            "[project].optional-dependencies is not a table",
            4,
            id="extras-array",
        ),
    ],
)
def test_badly_typed_dependency_fields(
    tmp_path: Path, extra: str, expected_what: str, expected_line: int
) -> None:
    text = f'[project]\nname = "x"\nversion = "1"\n{extra}'
    write(tmp_path, {"packages/x/pyproject.toml": text})
    (problem,) = problems_of(tmp_path)
    assert (problem.what, problem.where) == (
        expected_what,
        f"packages/x/pyproject.toml, line {expected_line}",
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "packages/a/pyproject.toml": "[project\n",
            "packages/b/pyproject.toml": "[tool.x]\n",
            "packages/c/pyproject.toml": project("c", "oops >>= 1"),
            "packages/d/pyproject.toml": project("d"),
        },
    )
    with pytest.raises(MonorepoError) as caught:
        read_monorepo(tmp_path)
    error = caught.value
    assert [problem.where.split(",")[0] for problem in error.problems] == [
        "packages/a/pyproject.toml",
        "packages/b/pyproject.toml",
        "packages/c/pyproject.toml",
    ]
    assert str(error).count("\n  fix: ") == 3
    assert pickle.loads(pickle.dumps(error)).problems == error.problems


def test_duplicate_names_are_a_problem(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "packages/one/pyproject.toml": project("aetherflow-core"),
            "packages/two/pyproject.toml": project("Aetherflow.Core"),
        },
    )
    (problem,) = problems_of(tmp_path)
    assert problem.what == (
        "two packages have the distribution name 'aetherflow-core' "
        "('aetherflow-core' and 'Aetherflow.Core'; names compare normalized)"
    )
    assert problem.where == "packages/one/pyproject.toml, packages/two/pyproject.toml"
    assert "rename one of them" in problem.fix


# --- versions ---------------------------------------------------------------------------------

DYNAMIC = '[project]\nname = "pkg-x"\ndynamic = ["version"]\n'
SETUPTOOLS = '[build-system]\nbuild-backend = "setuptools.build_meta"\n'
HATCH = '[build-system]\nbuild-backend = "hatchling.build"\n'
FLIT = '[build-system]\nbuild-backend = "flit_core.buildapi"\n'
PDM = '[build-system]\nbuild-backend = "pdm.backend"\n'
POETRY = '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n'


@pytest.mark.parametrize(
    ("files", "expected_text", "expected_source"),
    [
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS
                + DYNAMIC
                + '[tool.setuptools.dynamic]\nversion = {attr = "pkg_x.__version__"}\n',
                "src/pkg_x/__init__.py": '"""Doc."""\n__version__ = "2.1.0"\n',
            },
            "2.1.0",
            "packages/x/src/pkg_x/__init__.py __version__",
            id="setuptools-attr-src",
        ),
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS
                + DYNAMIC
                + '[tool.setuptools.dynamic]\nversion = {attr = "pkg_x.about.VERSION"}\n',
                "pkg_x/__init__.py": "",
                "pkg_x/about.py": "VERSION: str = '3.0.0rc1'\n",
            },
            "3.0.0rc1",
            "packages/x/pkg_x/about.py VERSION",
            id="setuptools-attr-flat-module",
        ),
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS
                + DYNAMIC
                + '[tool.setuptools.dynamic]\nversion = {attr = "pkg_x.__version__"}\n',
                "src/pkg_x/__init__.py": "from ._version import __version__\n",
                "src/pkg_x/_version.py": "__version__ = '1.4.2'\n",
            },
            "1.4.2",
            "packages/x/src/pkg_x/_version.py __version__",
            id="setuptools-attr-relative-import",
        ),
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS
                + DYNAMIC
                + '[tool.setuptools.dynamic]\nversion = {file = "VERSION"}\n',
                "VERSION": "0.9.1\n",
            },
            "0.9.1",
            "packages/x/VERSION",
            id="setuptools-file",
        ),
        pytest.param(
            {
                "pyproject.toml": HATCH
                + DYNAMIC
                + '[tool.hatch.version]\npath = "src/pkg_x/__about__.py"\n',
                "src/pkg_x/__about__.py": '__version__ = "v5.0.0"\n',
            },
            "5.0.0",
            "packages/x/src/pkg_x/__about__.py __version__",
            id="hatch-path",
        ),
        pytest.param(
            {
                "pyproject.toml": FLIT + DYNAMIC,
                "pkg_x/__init__.py": '"""Doc."""\n__version__ = "0.2.0"\n',
            },
            "0.2.0",
            "packages/x/pkg_x/__init__.py __version__",
            id="flit-project-name",
        ),
        pytest.param(
            {
                "pyproject.toml": FLIT + DYNAMIC + '[tool.flit.module]\nname = "aetherflow.core"\n',
                "src/aetherflow/core/__init__.py": '__version__ = "1.0.0"\n',
            },
            "1.0.0",
            "packages/x/src/aetherflow/core/__init__.py __version__",
            id="flit-module-name",
        ),
        pytest.param(
            {
                "pyproject.toml": PDM
                + DYNAMIC
                + '[tool.pdm.version]\nsource = "file"\npath = "src/pkg_x/__init__.py"\n',
                "src/pkg_x/__init__.py": "__version__ = '6.1'  # bumped by hand\n",
            },
            "6.1",
            "packages/x/src/pkg_x/__init__.py __version__",
            id="pdm-file",
        ),
    ],
)
def test_dynamic_versions_are_read_statically(
    tmp_path: Path, files: dict[str, str], expected_text: str, expected_source: str
) -> None:
    write(tmp_path / "packages" / "x", files)
    (package,) = read_monorepo(tmp_path).packages
    assert (package.version_text, package.version_source) == (expected_text, expected_source)
    assert package.version_error is None
    assert package.version == Version(expected_text)


@pytest.mark.parametrize(
    ("pyproject", "tool"),
    [
        pytest.param(SETUPTOOLS + DYNAMIC + "[tool.setuptools_scm]\n", "setuptools-scm", id="scm"),
        pytest.param(
            HATCH + DYNAMIC + '[tool.hatch.version]\nsource = "vcs"\n', "hatch-vcs", id="hatch-vcs"
        ),
        pytest.param(
            PDM + DYNAMIC + '[tool.pdm.version]\nsource = "scm"\n',
            "pdm-backend (source = scm)",
            id="pdm-scm",
        ),
    ],
)
def test_a_version_computed_from_git_tags_is_the_release_version(
    tmp_path: Path, pyproject: str, tool: str
) -> None:
    write(tmp_path / "packages" / "x", {"pyproject.toml": pyproject})

    (unknown,) = read_monorepo(tmp_path).packages
    (released,) = read_monorepo(tmp_path, release_version="2.1.0").packages

    source = f"packages/x/pyproject.toml: computed by {tool} at build time"
    assert (unknown.version_text, unknown.version_source) == (None, source)
    assert unknown.version_error == (
        f"pkg-x's version is computed by {tool} at build time, so it is the release version, "
        "which was not given"
    )
    assert unknown.version_override == {}
    assert released.version_text == "2.1.0"
    assert released.version_source == f"{source}: the release version 2.1.0 (--release-version)"
    assert released.version_error is None
    assert "2.1.0" in released.version_override.values()


@pytest.mark.parametrize(
    ("files", "expected_reason"),
    [
        pytest.param(
            {
                "pyproject.toml": HATCH
                + DYNAMIC
                + '[tool.hatch.version]\npath = "src/pkg_x/__about__.py"\n'
            },
            "[tool.hatch.version] path names packages/x/src/pkg_x/__about__.py, "
            "which does not exist",
            id="hatch-missing-file",
        ),
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS
                + DYNAMIC
                + '[tool.setuptools.dynamic]\nversion = {attr = "pkg_x.__version__"}\n',
                "pkg_x/__init__.py": "import importlib.metadata\n"
                "__version__ = importlib.metadata.version('pkg-x')\n",
            },
            "__version__ in packages/x/pkg_x/__init__.py is computed, not a literal",
            id="computed-attr",
        ),
        pytest.param(
            {"pyproject.toml": DYNAMIC},
            "no supported source was found",
            id="nothing-configured",
        ),
    ],
)
def test_unreadable_dynamic_versions_explain_why_and_how_to_fix(
    tmp_path: Path, files: dict[str, str], expected_reason: str
) -> None:
    write(tmp_path / "packages" / "x", files)
    (package,) = read_monorepo(tmp_path).packages
    assert package.version_text is None
    assert package.version is None
    assert package.version_source == "packages/x/pyproject.toml [project] dynamic"
    assert package.version_error is not None
    assert package.version_error.startswith(
        "packages/x/pyproject.toml declares a dynamic version that cannot be read without "
        f"building it: {expected_reason}"
    )
    assert 'make it static (version = "X.Y.Z" under [project]' in package.version_error
    assert '[tool.setuptools.dynamic] version = {file = "VERSION"}' in package.version_error


@pytest.mark.parametrize(
    ("project_text", "expected_error"),
    [
        pytest.param(
            '[project]\nname = "x"\n',
            "[project].version in packages/x/pyproject.toml is missing",
            id="no-version",
        ),
        pytest.param(
            '[project]\nname = "x"\nversion = "1.0"\ndynamic = ["version"]\n',
            "packages/x/pyproject.toml sets [project].version and also lists 'version'",
            id="static-and-dynamic",
        ),
    ],
)
def test_missing_or_contradictory_versions(
    tmp_path: Path, project_text: str, expected_error: str
) -> None:
    write(tmp_path, {"packages/x/pyproject.toml": project_text})
    (package,) = read_monorepo(tmp_path).packages
    assert package.version_text is None
    assert package.version_error is not None
    assert package.version_error.startswith(expected_error)


def test_a_version_that_is_not_pep_440_is_kept_as_text(tmp_path: Path) -> None:
    write(tmp_path, {"packages/x/pyproject.toml": project("x", version="1.0-final-really")})
    (package,) = read_monorepo(tmp_path).packages
    assert package.version_text == "1.0-final-really"
    assert package.version is None
    assert package.version_error is None


# --- import packages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {
                "pyproject.toml": project("aetherflow-core"),
                "src/aetherflow/core/__init__.py": "",
                "src/aetherflow/core/engine/__init__.py": "",
                "tests/test_core.py": "",
            },
            ("aetherflow.core",),
            id="src-namespace",
        ),
        pytest.param(
            {
                "pyproject.toml": project("widgets"),
                "src/widgets/__init__.py": "",
                "src/widgets_extra.py": "",
                "src/widgets.egg-info/PKG-INFO": "",
            },
            ("widgets", "widgets_extra"),
            id="src-package-and-module",
        ),
        pytest.param(
            {
                "pyproject.toml": project("widgets"),
                "widgets/__init__.py": "",
                "setup.py": "",
                "tests/__init__.py": "",
                "docs/conf/__init__.py": "",
                "build/lib/widgets/__init__.py": "",
                ".venv/lib/__init__.py": "",
            },
            ("widgets",),
            id="flat",
        ),
        pytest.param(
            {"pyproject.toml": project("solo"), "solo.py": "", "setup.py": "", "conftest.py": ""},
            ("solo",),
            id="flat-single-module",
        ),
        pytest.param(
            {"pyproject.toml": project("solo"), "src/solo.py": ""},
            ("solo",),
            id="src-single-module",
        ),
        pytest.param(
            {
                "pyproject.toml": HATCH
                + project("aetherflow-cli")
                + '[tool.hatch.build.targets.wheel]\npackages = ["src/aetherflow"]\n',
                "src/aetherflow/cli/__init__.py": "",
                "src/other/__init__.py": "",
            },
            ("aetherflow.cli",),
            id="hatch-namespace-path",
        ),
        pytest.param(
            {
                "pyproject.toml": HATCH
                + project("meta-ai")
                + "[tool.hatch.build.targets.wheel]\nbypass-selection = true\n",
                "meta_ai_slim/pyproject.toml": HATCH + project("meta-ai-slim"),
                "meta_ai_slim/meta_ai/__init__.py": "",
            },
            (),
            id="hatch-bypass-selection-meta-package",
        ),
        pytest.param(
            {
                "pyproject.toml": HATCH + project("meta-ai"),
                "meta_ai_slim/pyproject.toml": HATCH + project("meta-ai-slim"),
                "meta_ai_slim/meta_ai/__init__.py": "",
            },
            (),
            id="hatch-default-never-claims-a-member-folder",
        ),
        pytest.param(
            {
                "pyproject.toml": HATCH
                + project("thing")
                + '[tool.hatch.build.targets.wheel]\npackages = ["lib/thing", "lib/helper.py"]\n',
                "lib/thing/__init__.py": "",
                "lib/helper.py": "",
            },
            ("helper", "thing"),
            id="hatch-package-and-module",
        ),
        pytest.param(
            {
                "pyproject.toml": POETRY
                + project("aetherflow-scheduler")
                + "[tool.poetry]\n"
                + 'packages = [{ include = "aetherflow/scheduler", from = "src" }]\n',
                "src/aetherflow/scheduler/__init__.py": "",
                "src/aetherflow/other/__init__.py": "",
            },
            ("aetherflow.scheduler",),
            id="poetry-keeps-the-path-below-from",
        ),
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS
                + project("sched")
                + '[tool.setuptools.packages.find]\nwhere = ["lib"]\ninclude = ["aetherflow*"]\n',
                "lib/aetherflow/scheduler/__init__.py": "",
                "lib/aetherflow/scheduler/jobs/__init__.py": "",
                "lib/unrelated/__init__.py": "",
            },
            ("aetherflow.scheduler",),
            id="setuptools-find-where",
        ),
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS
                + project("sched")
                + "[tool.setuptools.packages.find]\nnamespaces = false\n",
                "aetherflow/scheduler/__init__.py": "",
                "plain/__init__.py": "",
            },
            ("plain",),
            id="setuptools-find-without-namespaces",
        ),
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS
                + project("x")
                + '[tool.setuptools]\npackages = ["x", "x.sub", "y.z"]\npy-modules = ["m"]\n',
            },
            ("m", "x", "y.z"),
            id="setuptools-explicit",
        ),
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS
                + project("x")
                + '[tool.setuptools]\npackage-dir = {"" = "python"}\n',
                "python/xpkg/__init__.py": "",
                "src/wrong/__init__.py": "",
            },
            ("xpkg",),
            id="setuptools-package-dir",
        ),
        pytest.param(
            {
                "pyproject.toml": FLIT
                + project("aetherflow-core")
                # the module table comes after [project], so it is still TOML-valid
                + '[tool.flit.module]\nname = "aetherflow.core"\n',
                "src/aetherflow/core/__init__.py": "",
            },
            ("aetherflow.core",),
            id="flit-module",
        ),
        pytest.param(
            {"pyproject.toml": FLIT + project("my-tool"), "my_tool.py": ""},
            ("my_tool",),
            id="flit-default-name",
        ),
        # hatchling's own default: the folder named after the project, not examples/.
        pytest.param(
            {
                "pyproject.toml": HATCH + project("pkg-x"),
                "pkg_x/__init__.py": "",
                "examples/graphs/__init__.py": "",
                "integration/graph/__init__.py": "",
            },
            ("pkg_x",),
            id="hatchling-default-beside-examples",
        ),
        pytest.param(
            {
                "pyproject.toml": HATCH
                + project("pkg-x")
                + '[tool.hatch.build.targets.wheel]\nonly-include = ["src/pkg_x"]\n'
                + 'sources = ["src"]\n',
                "src/pkg_x/__init__.py": "",
                "src/other/__init__.py": "",
            },
            ("pkg_x",),
            id="hatchling-only-include-sources",
        ),
        pytest.param(
            {
                "pyproject.toml": '[build-system]\nbuild-backend = "uv_build"\n'
                + project("pkg-x")
                + '[tool.uv.build-backend]\nmodule-name = "acme.pkg"\n',
                "src/acme/pkg/__init__.py": "",
            },
            ("acme.pkg",),
            id="uv-build-module-name",
        ),
        pytest.param(
            {
                "pyproject.toml": '[build-system]\nbuild-backend = "maturin"\n'
                + project("pkg-x")
                + '[tool.maturin]\npython-source = "python"\nmodule-name = "fastx._core"\n',
                "python/fastx/__init__.py": "",
            },
            ("fastx",),
            id="maturin-python-source",
        ),
        # A namespace folder's own modules are no import packages (examples would run)...
        pytest.param(
            {
                "pyproject.toml": SETUPTOOLS + project("pkg-x"),
                "src/acme/graph/__init__.py": "",
                "src/acme/types.py": "",
            },
            ("acme.graph",),
            id="namespace-top-level-module",
        ),
        # ...and inside a folder the backend names, a subpackage named test is a package.
        pytest.param(
            {
                "pyproject.toml": HATCH
                + project("pkg-x")
                + '[tool.hatch.build.targets.wheel]\npackages = ["src/acme"]\n',
                "src/acme/test/__init__.py": "",
            },
            ("acme.test",),
            id="a-test-package-the-backend-names",
        ),
    ],
)
def test_import_packages(tmp_path: Path, files: dict[str, str], expected: tuple[str, ...]) -> None:
    write(tmp_path / "packages" / "x", files)
    (package,) = read_monorepo(tmp_path).packages
    assert package.import_packages == expected


def test_a_module_of_a_namespace_folder_is_found_for_the_public_api(tmp_path: Path) -> None:
    write(
        tmp_path / "packages" / "x",
        {
            "pyproject.toml": SETUPTOOLS + project("pkg-x"),
            "src/acme/graph/__init__.py": "",
            "src/acme/types.py": "",
        },
    )
    repo = read_monorepo(tmp_path)
    found = repo.module_source("acme.types")
    assert found is not None
    assert (found[0].name, found[1].name) == ("pkg-x", "types.py")
    assert repo.module_source("acme.missing") is None


def test_a_root_package_never_claims_a_member_packages_folder(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": SETUPTOOLS
            + project("root-tool")
            + '[tool.pytest-release]\npackages = [".", "clai"]\n',
            "root_tool/__init__.py": "",
            "clai/pyproject.toml": SETUPTOOLS + project("clai"),
            "clai/clai/__init__.py": "",
        },
    )
    repo = read_monorepo(tmp_path, [".", "clai"])
    assert [(p.name, p.import_packages) for p in repo.packages] == [
        ("clai", ("clai",)),
        ("root-tool", ("root_tool",)),
    ]


def test_the_reference_namespace_layout(tmp_path: Path) -> None:
    layout = {"core": [], "scheduler": ["aetherflow-core"], "cli": ["aetherflow-scheduler"]}
    files: dict[str, str] = {}
    for name, deps in layout.items():
        folder = f"packages/aetherflow-{name}"
        files[f"{folder}/pyproject.toml"] = project(f"aetherflow-{name}", *deps)
        files[f"{folder}/src/aetherflow/{name}/__init__.py"] = ""
    write(tmp_path, files)
    repo = read_monorepo(tmp_path)
    assert [(p.name, p.import_packages) for p in repo.packages] == [
        ("aetherflow-core", ("aetherflow.core",)),
        ("aetherflow-scheduler", ("aetherflow.scheduler",)),
        ("aetherflow-cli", ("aetherflow.cli",)),
    ]


# --- the data types ---------------------------------------------------------------------------


def test_packages_are_hashable_and_their_mappings_read_only(tmp_path: Path) -> None:
    package = Package(
        name="x",
        key="x",
        folder=tmp_path,
        pyproject=tmp_path / "pyproject.toml",
        version_text="1",
        version_source="pyproject.toml [project] version",
        scripts={"x": "x:main"},
    )
    assert package.build_backend == "setuptools.build_meta:__legacy__"
    assert {package: 1}[package] == 1
    with pytest.raises(TypeError):
        package.scripts["y"] = "y:main"  # type: ignore[index]
    repo = Monorepo(root=tmp_path, packages=(package,))
    assert repo.publish_order == ("x",)
    assert hash(repo) == hash(Monorepo(root=tmp_path, packages=(package,)))
