"""The target's test suite package by package (gate 3, ``test-env = "per-package"``).

For projects that test each package in an environment of its own (a tox or nox env each,
with test requirements files whose pins differ from package to package): the test command
runs once for each package with a ``tests`` (or ``test``) folder, from that folder, in a
fresh venv of its own that holds every package of the repo editable plus that package's
own test requirements (its test extras, the ``test-groups`` its pyproject.toml or the
root's declares, its test requirements file, its hatch-test environment's dependencies,
pytest when the command runs it). ``{name}`` and ``{folder}`` in the command stand for the
package's dist name and its folder relative to the root. Every package is run; each one
that fails gives one problem, named by the package. No pytest here.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from pytest_release.checks.target_tests import (
    HATCH_SHOWN,
    TEST_EXTRAS,
    TEST_SUITE_SECONDS,
    hatch_test_env,
    mentions_pytest,
    package_test_groups,
    pytest_addopts,
    requirements_files,
    result_problems,
)
from pytest_release.dists.venv import VenvError, install_editable, install_failure
from pytest_release.problems import Problem
from pytest_release.target.pyproject import relative

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from pytest_release.dists.venv import FreshVenv
    from pytest_release.target.monorepo import Monorepo, Package
    from pytest_release.target.pyproject import HatchTest

TEST_FOLDERS = ("tests", "test")


def packages_with_tests(monorepo: Monorepo) -> list[Package]:
    """The packages with a folder of tests of their own, in publish order."""
    return [
        package
        for package in monorepo.packages
        if any((package.folder / name).is_dir() for name in TEST_FOLDERS)
    ]


def placed(command: Sequence[str], monorepo: Monorepo, package: Package) -> tuple[str, ...]:
    """``command`` for ``package``: ``{name}`` and ``{folder}`` (relative to the root)
    replaced in each of its words."""
    folder = relative(package.folder, monorepo.root)
    return tuple(
        word.replace("{name}", package.name).replace("{folder}", folder) for word in command
    )


def package_suites_problems(
    command: tuple[str, ...],
    monorepo: Monorepo,
    *,
    cache: Path,
    new_venv: Callable[[Package], FreshVenv],
    groups: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> list[Problem]:
    """Run ``command`` for each package with tests, each in a venv of its own that
    ``new_venv`` makes (and that is removed after the run); one problem per package whose
    venv, install or suite failed, every package run."""
    tell = progress or (lambda line: None)
    tested = packages_with_tests(monorepo)
    if not tested:
        folders = " or ".join(f"{name}/" for name in TEST_FOLDERS)
        return [
            Problem(
                f'test-env = "per-package" runs the suite of each package with a {folders} '
                "folder, and no package has one",
                str(monorepo.root),
                'set test-env = "fresh" (one venv, the command run from the root), or add '
                "the packages' tests",
            )
        ]
    problems: list[Problem] = []
    for package in tested:
        tell(f"testing {package.name} in a venv of its own")
        problems += _package_problems(command, monorepo, package, cache, new_venv, groups)
    return problems


def _package_problems(
    command: tuple[str, ...],
    monorepo: Monorepo,
    package: Package,
    cache: Path,
    new_venv: Callable[[Package], FreshVenv],
    groups: Sequence[str],
) -> list[Problem]:
    where = f"{package.name} ({relative(package.folder, monorepo.root)})"
    try:
        venv = new_venv(package)
    except VenvError as error:
        return [Problem(str(error), where, "see the error above; run the gates again")]
    try:
        hatch = hatch_test_env(monorepo, [package])
        problem = package_install_problem(venv, monorepo, package, command, groups, hatch)
        if problem is not None:
            return [problem]
        own = placed(command, monorepo, package)
        variables = {"PYTEST_ADDOPTS": pytest_addopts(cache / package.name, hatch)}
        result = venv.run(own, cwd=package.folder, timeout=TEST_SUITE_SECONDS, variables=variables)
        folder = relative(package.folder, monorepo.root)
        return result_problems(result, own, where, in_fresh_venv=True, ran_from=folder)
    finally:
        shutil.rmtree(venv.path, ignore_errors=True)


def package_install_problem(
    venv: FreshVenv,
    monorepo: Monorepo,
    package: Package,
    command: tuple[str, ...],
    groups: Sequence[str] = (),
    hatch: HatchTest | None = None,
) -> Problem | None:
    """Every package editable, then, in one installer call (one resolution: a conflict
    among them is the package's), ``package`` with its test extras and the extras
    ``hatch`` names, its ``groups``, its test requirements files, the hatch-test
    dependencies and pytest when ``command`` runs it; why that failed, or None."""
    where = f"{package.name} ({relative(package.folder, monorepo.root)})"
    results = install_editable(venv, monorepo)
    failed = {name: result for name, result in results.items() if not result.ok}
    if failed:
        said = "; ".join(f"{name}: {install_failure(result)}" for name, result in failed.items())
        return Problem(
            f"installing every package editable into its test venv failed: {said}",
            where,
            "fix the install (the editable gate names the package that fails)",
        )
    wanted = [
        extra
        for extra in (*TEST_EXTRAS, *(hatch.features if hatch else ()))
        if extra in package.optional_dependencies
    ]
    arguments: list[str] = []
    shown: list[str] = []
    if wanted:
        arguments += ["--editable", f"{package.folder}[{','.join(dict.fromkeys(wanted))}]"]
        shown.append(f"its extras {', '.join(dict.fromkeys(wanted))}")
    for pyproject, name in package_test_groups(monorepo, package, groups):
        arguments += ["--group", f"{pyproject}:{name}"]
        shown.append(f"[dependency-groups] {name} of {relative(pyproject, monorepo.root)}")
    for path in requirements_files(package):
        arguments += ["-r", str(path)]
        shown.append(relative(path, monorepo.root))
    if hatch and hatch.requirements:
        arguments += hatch.requirements
        shown.append(HATCH_SHOWN)
    if mentions_pytest(command):
        arguments.append("pytest")
    if not arguments:
        return None
    # From the root: requirements files name folders from there (-e tests/test-utils).
    result = venv.install(*arguments, cwd=monorepo.root)
    if result.ok:
        return None
    what = ", ".join(shown) if shown else "pytest"
    return Problem(
        f"installing its test requirements ({what}) into its own test venv, beside every "
        f"package editable, failed: {install_failure(result)}",
        where,
        "make its test requirements agree with each other and with the packages' "
        "dependencies (see the installer's output), then run the gates again",
    )
