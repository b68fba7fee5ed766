"""The target's own test suite (gate 3): how `test-command` runs, and what a red run says.

The command runs from the repo root, in this environment, or in a fresh venv with every
package installed editable with its test extras (`test-env = "fresh"`: the gate passes
that venv in); once per package, each in a venv of its own, in package_suites
(`test-env = "per-package"`). The test requirements a fresh venv gets are the packages'
test extras, `test-groups`, test requirements files and, for a project that tests with
``hatch test``, its hatch-test environment's dependencies. No pytest here: the gate fails
with the problems these functions return.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pytest_release.dists.venv import install_editable, install_failure
from pytest_release.problems import Problem
from pytest_release.process import CommandResult, child_environment, run_command
from pytest_release.target.pyproject import (
    HatchTest,
    dependency_groups,
    hatch_test,
    read_hatch_test,
    relative,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pytest_release.dists.venv import FreshVenv
    from pytest_release.target.monorepo import Monorepo, Package

TEST_SUITE_SECONDS = 3600
NO_TESTS_RAN = 5  # pytest's exit code when it ran no test
TEST_REQUIREMENTS = ("test-requirements.txt", "requirements-test.txt")
# Without one of those, a package's test requirements compiled for its default test env (a
# tox env per package installing "-r test-requirements.latest.txt", the .in beside it being
# their unpinned source), else that source itself: the first of these found.
COMPILED_TEST_REQUIREMENTS = (
    "test-requirements.latest.txt",
    "requirements-test.latest.txt",
    "test-requirements.in",
    "requirements-test.in",
)
_PYTEST_WORD = re.compile(r"(?:^|[\s;&|(])(?:pytest|py\.test)(?=\s|$|[;&|)])")
TEST_EXTRAS = ("test", "tests", "testing")
SHOWN_LINES = 40
_IMPORT_FAILURE = re.compile(r"ImportError while importing|ModuleNotFoundError")
_SUMMARY = re.compile(r"\b(passed|failed|errors?|no tests ran|skipped|deselected)\b")
_HATCH_TEST = re.compile(r"\bhatch\s+test\b")
WORKFLOWS = ".github/workflows"


def suite_problems(
    command: tuple[str, ...],
    monorepo: Monorepo,
    *,
    cache: Path,
    venv: FreshVenv | None,
    groups: Sequence[str] = (),
) -> list[Problem]:
    """Run ``command`` from the repo root, in ``venv`` when one is given (every package is
    installed into it first, with its test extras and the dependency ``groups`` that its
    pyproject.toml or the root's has), else in this environment; why the suite is not
    green. pytest's cache goes to ``cache``: the gates leave the target's tree as they
    found it."""
    hatch = None if venv is None else hatch_test_env(monorepo, monorepo.packages)
    variables = {"PYTEST_ADDOPTS": pytest_addopts(cache, hatch)}
    if venv is None:
        result = run_command(
            in_this_environment(command),
            cwd=monorepo.root,
            timeout=TEST_SUITE_SECONDS,
            environment=child_environment(variables),
        )
    else:
        problems = install_problems(venv, monorepo, command, groups, hatch)
        if problems:
            return problems
        result = venv.run(
            command, cwd=monorepo.root, timeout=TEST_SUITE_SECONDS, variables=variables
        )
    return result_problems(result, command, str(monorepo.root), in_fresh_venv=venv is not None)


def install_problems(
    venv: FreshVenv,
    monorepo: Monorepo,
    command: tuple[str, ...],
    groups: Sequence[str] = (),
    hatch: HatchTest | None = None,
) -> list[Problem]:
    """Every package editable with its test extras (and the extras ``hatch`` names), then
    the dependency ``groups`` each pyproject.toml (the packages' and the root's) has, the
    hatch-test environment's dependencies, each package's test requirements file, and
    pytest when the suite runs it: each install that failed."""
    extras = (*TEST_EXTRAS, *(hatch.features if hatch else ()))
    results = install_editable(venv, monorepo, extras)
    if all(result.ok for result in results.values()):
        for pyproject, name in test_groups(monorepo, groups):
            shown = f"[dependency-groups] {name} of {relative(pyproject, monorepo.root)}"
            results[shown] = venv.install("--group", f"{pyproject}:{name}")
    if hatch and hatch.requirements and all(result.ok for result in results.values()):
        results[HATCH_SHOWN] = venv.install(*hatch.requirements)
    requirements = package_test_requirements(monorepo)
    files = ""
    if requirements and all(result.ok for result in results.values()):
        # Resolved together, as the venv holds them together: one file's pins must not
        # silently break another's. From the root: such files name folders from there.
        files = ", ".join(relative(path, monorepo.root) for path in requirements)
        arguments = [argument for path in requirements for argument in ("-r", str(path))]
        results[files] = venv.install(*arguments, cwd=monorepo.root)
    if mentions_pytest(command) and all(result.ok for result in results.values()):
        results["pytest"] = venv.install("pytest")
    return [
        Problem(
            f"installing it into the fresh test venv failed: {install_failure(result)}",
            name,
            FILES_TOGETHER_FIX if name == files and len(requirements) > 1 else INSTALL_FIX,
        )
        for name, result in results.items()
        if not result.ok
    ]


HATCH_SHOWN = "the hatch-test environment's dependencies"
INSTALL_FIX = (
    "fix the install (see the installer's output), or run the suite in this environment "
    'with test-env = "current"'
)
FILES_TOGETHER_FIX = (
    "the packages' test requirements files are installed together into one venv, and "
    "their pins do not agree (see the installer's output): when each package's tests run "
    'in an environment of their own (a tox or nox env each), set test-env = "per-package" '
    "in [tool.pytest-release], which gives each package with tests a fresh venv of its own; "
    "else make the pins agree"
)


def package_test_groups(
    monorepo: Monorepo, package: Package, wanted: Sequence[str]
) -> list[tuple[Path, str]]:
    """The (pyproject.toml, group) pairs to install for ``package``'s own suite: each
    ``wanted`` group its pyproject.toml or the root's declares."""
    files = [package.pyproject]
    root = monorepo.root / "pyproject.toml"
    files += [root] if root.is_file() and root not in files else []
    return [(path, name) for path in files for name in dependency_groups(path) if name in wanted]


def test_groups(monorepo: Monorepo, wanted: Sequence[str]) -> list[tuple[Path, str]]:
    """The (pyproject.toml, group) pairs to install: each ``wanted`` group that a package's
    pyproject.toml or the root's declares."""
    files = [package.pyproject for package in monorepo.packages]
    root = monorepo.root / "pyproject.toml"
    files += [root] if root.is_file() and root not in files else []
    return [(path, name) for path in files for name in dependency_groups(path) if name in wanted]


def package_test_requirements(monorepo: Monorepo) -> list[Path]:
    """The test requirements files the packages keep beside their pyproject.toml, where
    projects wrote them before PEP 735 groups (``test-requirements.txt``)."""
    return [path for package in monorepo.packages for path in requirements_files(package)]


def requirements_files(package: Package) -> list[Path]:
    """The test requirements files ``package`` keeps beside its pyproject.toml: those of
    TEST_REQUIREMENTS, else the first of COMPILED_TEST_REQUIREMENTS found."""
    plain = [package.folder / name for name in TEST_REQUIREMENTS]
    found = [path for path in plain if path.is_file()]
    compiled = [package.folder / name for name in COMPILED_TEST_REQUIREMENTS]
    return found or [path for path in compiled if path.is_file()][:1]


def uses_hatch_test(root: Path) -> bool:
    """Whether the repo's GitHub workflows run ``hatch test``."""
    folder = root / WORKFLOWS
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
    for path in files:
        try:
            if _HATCH_TEST.search(path.read_text(encoding="utf-8")):
                return True
        except (OSError, UnicodeDecodeError):
            continue
    return False


def hatch_test_env(monorepo: Monorepo, packages: Sequence[Package]) -> HatchTest | None:
    """What the hatch-test environment adds for the suite of ``packages``: the tables of
    their folders and of the root together, or hatch's defaults when none has one but the
    workflows run ``hatch test``; None when the project does not test with hatch."""
    folders = dict.fromkeys([monorepo.root, *(package.folder for package in packages)])
    found = [env for folder in folders if (env := read_hatch_test(folder)) is not None]
    if not found:
        return hatch_test({}) if uses_hatch_test(monorepo.root) else None
    return HatchTest(
        tuple(dict.fromkeys(r for env in found for r in env.requirements)),
        tuple(dict.fromkeys(f for env in found for f in env.features)),
        any(env.randomize for env in found),
    )


def pytest_addopts(cache: Path, hatch: HatchTest | None) -> str:
    """PYTEST_ADDOPTS for the suite: pytest's cache outside the target, and, as ``hatch
    test`` runs it, pytest-randomly off when the hatch-test environment installs it
    without ``randomize = true``."""
    options = f"-o cache_dir={shlex.quote(str(cache))}"
    if hatch and not hatch.randomize and "pytest-randomly" in _names(hatch.requirements):
        options += " -p no:randomly"
    return options


def _names(requirements: Sequence[str]) -> set[str]:
    names: set[str] = set()
    for text in requirements:
        try:
            names.add(canonicalize_name(Requirement(text).name))
        except InvalidRequirement:
            continue
    return names


def result_problems(
    result: CommandResult,
    command: tuple[str, ...],
    where: str,
    *,
    in_fresh_venv: bool,
    ran_from: str | None = None,
) -> list[Problem]:
    """Why the run of ``command`` that ended with ``result`` is not green: none if it is.
    ``ran_from``: the folder it ran from, when not the repo root."""
    if result.ok:
        return []
    shown = " ".join(command)
    if result.returncode == NO_TESTS_RAN and runs_pytest(command):
        what = f"`{shown}` ran no test (pytest's exit code 5): {summary(result)}"
        fix = 'point test-command at the suite (e.g. "pytest -q tests"), or add tests'
    elif not in_fresh_venv and _IMPORT_FAILURE.search(result.output):
        what = f"the test suite is not green: {summary(result)}"
        fix = (
            "the suite cannot import the packages in this environment: install them "
            '(pip install -e PACKAGE) or set test-env = "fresh" in [tool.pytest-release], '
            "which runs the suite in a fresh venv with every package installed editable"
        )
    else:
        what = f"the test suite is not green: {summary(result)}"
        again = f"`{shown}` from {ran_from}" if ran_from else f"`{shown}`"
        fix = f"fix the failures above, commit, and run the gates again ({again} reproduces them)"
    return [Problem(f"{what}\n{result.tail(SHOWN_LINES)}", where, fix)]


def summary(result: CommandResult) -> str:
    """pytest's closing line with how the command ended, or just how it ended."""
    lines = [line.strip(" =") for line in result.output.splitlines() if _SUMMARY.search(line)]
    return f"{lines[-1]} ({result.describe()})" if lines else result.describe()


def runs_pytest(command: tuple[str, ...]) -> bool:
    return command[0] in {"pytest", "py.test"} or command[1:3] == ("-m", "pytest")


def mentions_pytest(command: tuple[str, ...]) -> bool:
    """Whether ``command`` runs pytest itself or anywhere in a shell script it is given
    (``sh -c "for d in ...; do (cd $d && pytest -q tests); done"``)."""
    return runs_pytest(command) or any(_PYTEST_WORD.search(part) for part in command)


def in_this_environment(command: tuple[str, ...]) -> tuple[str, ...]:
    """The interpreter running the gates runs the suite, whatever `pytest` is on PATH."""
    if command[0] in {"pytest", "py.test"}:
        return (sys.executable, "-m", "pytest", *command[1:])
    if command[0] in {"python", "python3"}:
        return (sys.executable, *command[1:])
    return command
