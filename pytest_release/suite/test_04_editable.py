"""Gate 4, editable: every package installs editable in a fresh venv, in publish order, and
its import packages import with the right __version__."""

from __future__ import annotations

import json

import pytest

from pytest_release.fixtures import EditableInstall
from pytest_release.gate import fail_with
from pytest_release.monorepo import Monorepo, Package
from pytest_release.problems import Problem
from pytest_release.pyproject_reading import relative
from pytest_release.venv import NotAttempted, install_failure

pytestmark = [pytest.mark.editable]

# Runs in the venv: one JSON line per import package, its version or its traceback.
# The traceback keeps the target's own frames, not the probe's or importlib's.
IMPORT_PROBE = """
import importlib, json, os, sys, traceback
machinery = os.path.dirname(importlib.__file__)
for name in sys.argv[1:]:
    try:
        module = importlib.import_module(name)
    except BaseException as error:
        frames = [
            f for f in traceback.extract_tb(error.__traceback__)
            if f.filename[:1] != "<" and not f.filename.startswith(machinery)
        ]
        lines = ["Traceback (most recent call last):\\n", *traceback.format_list(frames)]
        lines += traceback.format_exception_only(error)
        print(json.dumps({"name": name, "error": "".join(lines)}))
    else:
        version = getattr(module, "__version__", None)
        print(json.dumps({"name": name, "version": None if version is None else str(version)}))
"""


def _indented(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.rstrip().splitlines())


def test_editable_install(
    release_package: Package, editable_venv: EditableInstall, monorepo: Monorepo
) -> None:
    result = editable_venv.results[release_package.name]
    if isinstance(result, NotAttempted):
        pytest.skip(f"not checked: {result.reason}")
    if not result.ok:
        fail_with(
            [
                Problem(
                    f"`pip install -e` of {release_package.name} failed: {install_failure(result)}",
                    relative(release_package.pyproject, monorepo.root),
                    "fix what the installer names above (a dependency missing from the index, "
                    "a build backend error), commit, and run the gates again",
                )
            ]
        )


def test_import_packages_import_with_the_version(
    release_package: Package, editable_venv: EditableInstall, monorepo: Monorepo
) -> None:
    editable_venv.skip_unless_installed(release_package)
    names = release_package.import_packages
    result = editable_venv.venv.python(IMPORT_PROBE, *names)
    reports = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    if len(reports) != len(names):
        fail_with(
            [
                Problem(
                    f"the import check did not finish: {result.describe()}\n{result.tail()}",
                    release_package.name,
                    "see the output above",
                )
            ]
        )
    where = relative(release_package.pyproject, monorepo.root)
    problems: list[Problem] = []
    for report in reports:
        name = report["name"]
        if "error" in report:
            problems.append(
                Problem(
                    f"`import {name}` fails in a fresh venv with {release_package.name} "
                    f"installed editable:\n{_indented(report['error'])}",
                    where,
                    "fix the import error (a missing dependency in [project] dependencies, "
                    "or a module that is not part of the package)",
                )
            )
        elif report["version"] not in (None, release_package.version_text):
            problems.append(
                Problem(
                    f"{name}.__version__ is {report['version']!r}, but the package version "
                    f"is {release_package.version_text!r}",
                    where,
                    f"set __version__ in {name} to {release_package.version_text!r}, or read "
                    f'it with importlib.metadata.version("{release_package.name}")',
                )
            )
    fail_with(problems)
