"""The target's test suite (gate 3): what its fresh venvs hold beside the packages (the
hatch-test environment's dependencies), and how ``test-env = "per-package"`` picks and
places each package's run."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_release.checks.package_suites import (
    package_suites_problems,
    packages_with_tests,
    placed,
)
from pytest_release.checks.target_tests import (
    hatch_test_env,
    package_test_groups,
    pytest_addopts,
    requirements_files,
    result_problems,
    uses_hatch_test,
)
from pytest_release.dists.venv import FreshVenv
from pytest_release.process import CommandResult
from pytest_release.target.monorepo import Monorepo, Package, read_monorepo
from pytest_release.target.pyproject import (
    HATCH_TEST_DEFAULTS,
    HatchTest,
    hatch_test,
    hatch_test_table,
)

PYPROJECT = '[project]\nname = "{name}"\nversion = "1.0.0"\n'


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def monorepo_of(root: Path, *folders: str, root_pyproject: str | None = None) -> Monorepo:
    for folder in folders:
        write(root / folder / "pyproject.toml", PYPROJECT.format(name=Path(folder).name))
    if root_pyproject is not None:
        write(root / "pyproject.toml", root_pyproject)
    return read_monorepo(root, folders)


# -- hatch's hatch-test environment --


@pytest.mark.parametrize(
    ("pyproject", "hatch_toml", "expected"),
    [
        pytest.param({}, {}, None, id="no-table"),
        pytest.param({"tool": {"hatch": {"envs": {"default": {}}}}}, {}, None, id="other-env"),
        pytest.param(
            {"tool": {"hatch": {"envs": {"hatch-test": {}}}}}, {}, {}, id="empty-table-counts"
        ),
        pytest.param(
            {"tool": {"hatch": {"envs": {"hatch-test": {"randomize": True, "parallel": True}}}}},
            {"envs": {"hatch-test": {"parallel": False}}},
            {"randomize": True, "parallel": False},
            id="hatch-toml-over-pyproject",
        ),
    ],
)
def test_the_hatch_test_table(
    pyproject: dict[str, object], hatch_toml: dict[str, object], expected: object
) -> None:
    assert hatch_test_table(pyproject, hatch_toml) == expected


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        pytest.param({}, HatchTest(HATCH_TEST_DEFAULTS), id="hatch-defaults"),
        pytest.param(
            {"extra-dependencies": ["trustme", "editables"]},
            HatchTest((*HATCH_TEST_DEFAULTS, "trustme", "editables")),
            id="extra-dependencies-add-to-the-defaults",
        ),
        pytest.param(
            {"dependencies": ["pytest>=8"], "extra-dependencies": "trustme"},
            HatchTest(("pytest>=8", "trustme")),
            id="dependencies-replace-the-defaults",
        ),
        pytest.param(
            {"dependencies": [], "features": ["cli", 3], "randomize": True},
            HatchTest((), ("cli",), randomize=True),
            id="features-and-randomize",
        ),
    ],
)
def test_what_a_hatch_test_environment_installs(
    settings: dict[str, object], expected: HatchTest
) -> None:
    assert hatch_test(settings) == expected


def test_hatch_test_in_a_workflow_means_hatch_is_the_test_runner(tmp_path: Path) -> None:
    assert not uses_hatch_test(tmp_path)
    write(tmp_path / ".github/workflows/lint.yml", "run: hatch fmt --check\n")
    assert not uses_hatch_test(tmp_path)
    write(tmp_path / ".github/workflows/test.yaml", "    - run: hatch test --cover\n")
    assert uses_hatch_test(tmp_path)


def test_the_hatch_test_environment_of_the_root_and_the_packages(tmp_path: Path) -> None:
    root_table = '[envs.hatch-test]\nextra-dependencies = ["trustme", "filelock"]\n'
    write(tmp_path / "hatch.toml", root_table)
    package_table = (
        '[tool.hatch.envs.hatch-test]\ndependencies = ["pytest", "filelock"]\nfeatures = ["x"]\n'
    )
    monorepo = monorepo_of(tmp_path, "a", "b")
    write(tmp_path / "b" / "pyproject.toml", PYPROJECT.format(name="b") + package_table)
    a, b = monorepo.packages

    found = hatch_test_env(monorepo, [b])

    assert found == HatchTest(
        (*HATCH_TEST_DEFAULTS, "trustme", "filelock"), ("x",), randomize=False
    )
    assert hatch_test_env(monorepo, [a]) == HatchTest((*HATCH_TEST_DEFAULTS, "trustme", "filelock"))


def test_hatch_defaults_only_when_the_workflows_run_hatch_test(tmp_path: Path) -> None:
    monorepo = monorepo_of(tmp_path, "a")
    assert hatch_test_env(monorepo, monorepo.packages) is None
    write(tmp_path / ".github/workflows/ci.yml", "run: hatch test\n")
    assert hatch_test_env(monorepo, monorepo.packages) == HatchTest(HATCH_TEST_DEFAULTS)


@pytest.mark.parametrize(
    ("hatch", "randomly_off"),
    [
        pytest.param(None, False, id="not-hatch"),
        pytest.param(HatchTest(HATCH_TEST_DEFAULTS), True, id="hatch-defaults"),
        pytest.param(HatchTest(HATCH_TEST_DEFAULTS, randomize=True), False, id="randomize"),
        pytest.param(HatchTest(("pytest", "pytest_Randomly>=3")), True, id="named-otherwise"),
        pytest.param(HatchTest(("pytest", "not a requirement")), False, id="no-randomly"),
    ],
)
def test_pytest_randomly_is_off_as_hatch_test_runs_it(
    hatch: HatchTest | None, randomly_off: bool
) -> None:
    options = pytest_addopts(Path("/tmp/cache dir"), hatch)
    assert options.startswith("-o cache_dir='/tmp/cache dir'")
    assert options.endswith(" -p no:randomly") is randomly_off


# -- test-env = "per-package" --


def test_the_packages_with_tests_of_their_own(tmp_path: Path) -> None:
    monorepo = monorepo_of(tmp_path, "api", "sdk", "docs-theme")
    (tmp_path / "api" / "tests").mkdir()
    (tmp_path / "sdk" / "test").mkdir()
    write(tmp_path / "docs-theme" / "tests.txt", "not a folder\n")

    assert [package.name for package in packages_with_tests(monorepo)] == ["api", "sdk"]


def test_the_command_names_the_package(tmp_path: Path) -> None:
    monorepo = monorepo_of(tmp_path, "exporter/otlp")
    (package,) = monorepo.packages
    command = ("pytest", "-q", "--cov={name}", "--junitxml=/out/{folder}/junit.xml")

    assert placed(command, monorepo, package) == (
        "pytest",
        "-q",
        "--cov=otlp",
        "--junitxml=/out/exporter/otlp/junit.xml",
    )


def test_a_package_s_own_requirements_and_groups(tmp_path: Path) -> None:
    groups = '[dependency-groups]\ntest = ["pytest"]\nlint = ["ruff"]\n'
    monorepo = monorepo_of(tmp_path, "api", "sdk", root_pyproject=groups)
    write(tmp_path / "sdk" / "pyproject.toml", PYPROJECT.format(name="sdk") + groups)
    write(tmp_path / "api" / "test-requirements.txt", "pytest==7.4.4\n")
    write(tmp_path / "sdk" / "test-requirements.txt", "pytest==8.3.0\n")
    api, sdk = monorepo.packages

    assert requirements_files(api) == [tmp_path / "api" / "test-requirements.txt"]
    assert package_test_groups(monorepo, api, ("test", "tests")) == [
        (tmp_path / "pyproject.toml", "test")
    ]
    assert package_test_groups(monorepo, sdk, ("test", "lint")) == [
        (tmp_path / "sdk" / "pyproject.toml", "test"),
        (tmp_path / "sdk" / "pyproject.toml", "lint"),
        (tmp_path / "pyproject.toml", "test"),
        (tmp_path / "pyproject.toml", "lint"),
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            ("requirements-test.txt", "test-requirements.txt", "test-requirements.latest.txt"),
            ["test-requirements.txt", "requirements-test.txt"],
            id="plain-files-first",
        ),
        pytest.param(
            (
                "test-requirements.in",
                "test-requirements.latest.txt",
                "test-requirements.oldest.txt",
            ),
            ["test-requirements.latest.txt"],
            id="else-the-latest-compiled",
        ),
        pytest.param(("test-requirements.in",), ["test-requirements.in"], id="else-the-source"),
        pytest.param(("requirements.txt", "dev-requirements.txt"), [], id="none"),
    ],
)
def test_which_test_requirements_files_a_package_gets(
    tmp_path: Path, files: tuple[str, ...], expected: list[str]
) -> None:
    (package,) = monorepo_of(tmp_path, "api").packages
    for name in files:
        write(tmp_path / "api" / name, "pytest\n")

    assert requirements_files(package) == [tmp_path / "api" / name for name in expected]


def test_per_package_without_a_package_with_tests(tmp_path: Path) -> None:
    monorepo = monorepo_of(tmp_path, "api", "sdk")
    (tmp_path / "tests").mkdir()  # the root's, of no package

    def new_venv(package: Package) -> FreshVenv:
        raise AssertionError(f"no venv is made for {package.name}")

    (problem,) = package_suites_problems(
        ("pytest", "-q"), monorepo, cache=tmp_path / "cache", new_venv=new_venv
    )
    assert problem.where == str(tmp_path)
    assert "no package has one" in problem.what
    assert problem.fix.startswith('set test-env = "fresh"')


def test_a_red_package_suite_says_where_it_reproduces() -> None:
    result = CommandResult(("pytest", "-q", "tests"), 1, "== 1 failed in 0.1s ==\n", timeout=60)
    (problem,) = result_problems(
        result, result.command, "api (libs/api)", in_fresh_venv=True, ran_from="libs/api"
    )
    assert problem.where == "api (libs/api)"
    assert "(`pytest -q tests` from libs/api reproduces them)" in problem.fix
