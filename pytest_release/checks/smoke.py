"""Smoke checks shared by the gates that run the packages in a venv (editable, cli,
rehearsal): the import probe, console scripts' ``--help``, ``smoke`` commands and what
counts as ending cleanly, and the repo files a smoke command needs when run elsewhere.

No pytest here: the gates turn what these functions find into failures.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_release.problems import Problem
from pytest_release.process import quoted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pytest_release.dists.venv import FreshVenv
    from pytest_release.process import CommandResult
    from pytest_release.target.monorepo import Package

HELP_SECONDS = 60
_LITTER = shutil.ignore_patterns("__pycache__", "*.py[co]", ".git", ".venv")
_QUOTING = "write the command as a shell would read it: close every quote"
NO_SMOKE_COMMANDS = "no smoke commands; list them as `smoke = [...]` in [tool.pytest-release]"
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
        unloadable = isinstance(error, (ImportError, SyntaxError))
        print(json.dumps({"name": name, "error": "".join(lines), "unloadable": unloadable}))
    else:
        version = getattr(module, "__version__", None)
        print(json.dumps({"name": name, "version": None if version is None else str(version)}))
"""


def unclean(result: CommandResult) -> str | None:
    """Why a command did not end cleanly, or None: an error message with a non-zero exit
    is a clean end; a traceback, a signal, a timeout or a silent failure is not."""
    if result.not_found or result.timed_out or result.signal_name:
        return result.describe().removeprefix(f"`{' '.join(result.command)}` ")
    if result.has_traceback:
        return "ended with a Python traceback"
    if not result.ok and not result.output.strip():
        return f"exited {result.returncode} without a word"
    return None


def not_passing(result: CommandResult) -> str | None:
    """Why a command that must succeed did not: as ``unclean``, or a non-zero exit."""
    return unclean(result) or (None if result.ok else f"exited {result.returncode}")


@dataclass(frozen=True)
class ImportReport:
    """How ``import NAME`` went in the venv: ``version`` is ``__version__`` (None when the
    module has none), ``error`` the traceback when the import failed; ``unloadable`` when
    it failed with ImportError or SyntaxError (the code or its dependencies), not with
    what the module's own code raised at import (often: its environment, as credentials)."""

    name: str
    version: str | None = None
    error: str | None = None
    unloadable: bool = True


def probe_imports(
    venv: FreshVenv, names: Sequence[str], cwd: Path
) -> list[ImportReport] | CommandResult:
    """Import each of ``names`` in ``venv``, run from ``cwd``; the command's result instead
    when the probe did not report on every name (it crashed or hung)."""
    result = venv.python(IMPORT_PROBE, *names, cwd=cwd)
    reports = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    if len(reports) != len(names):
        return result
    return [
        ImportReport(r["name"], r.get("version"), r.get("error"), r.get("unloadable", True))
        for r in reports
    ]


def import_check(
    venv: FreshVenv,
    package: Package,
    names: Sequence[str],
    *,
    cwd: Path,
    where: str,
    installed: str,
) -> list[Problem]:
    """Import ``names`` of ``package`` in ``venv`` from ``cwd``: every import that fails,
    and every ``__version__`` that is not the package's version. ``installed`` says how the
    package got into the venv ("installed editable", "installed from the rehearsal index")."""
    reports = probe_imports(venv, names, cwd)
    if not isinstance(reports, list):
        return [
            Problem(
                f"the import check did not finish: {reports.describe()}\n{reports.tail()}",
                package.name,
                "see the output above",
            )
        ]
    problems: list[Problem] = []
    for report in reports:
        if report.error is not None:
            fix = (
                "fix the import error (a missing dependency in [project] dependencies, "
                "or a module that is not part of the package)"
                if report.unloadable
                else "make the module importable without its run-time setting (credentials, "
                "services, variables): do that work when it is called, not at import; a "
                "user's `import` fails the same way"
            )
            problems.append(
                Problem(
                    f"`import {report.name}` fails in a fresh venv with {package.name} "
                    f"{installed}:\n{quoted(report.error)}",
                    where,
                    fix,
                )
            )
        elif report.version not in (None, package.version_text):
            problems.append(
                Problem(
                    f"{report.name}.__version__ is {report.version!r}, but the package version "
                    f"is {package.version_text!r}",
                    where,
                    f"set __version__ in {report.name} to {package.version_text!r}, or read "
                    f'it with importlib.metadata.version("{package.name}")',
                )
            )
    return problems


def help_problems(venv: FreshVenv, package: Package, *, cwd: Path, where: str) -> list[Problem]:
    """Every console script of ``package`` that does not answer ``--help`` with exit 0,
    run from ``cwd``; ``where`` names the package's pyproject.toml."""
    problems: list[Problem] = []
    for script, entry_point in package.scripts.items():
        result = venv.run([str(venv.bin / script), "--help"], cwd=cwd, timeout=HELP_SECONDS)
        why = not_passing(result)
        if why:
            problems.append(
                Problem(
                    f"`{script} --help` {why} (entry point {entry_point}):\n{result.tail()}",
                    f"{where} [project.scripts]",
                    f"make `{script} --help` print its usage and exit 0",
                )
            )
    return problems


def smoke_problems(
    venv: FreshVenv, command: str, *, cwd: Path, timeout: float, where: str, ran: str = ""
) -> list[Problem]:
    """The ``smoke`` command run from ``cwd`` with the venv first on PATH, and why it did not
    end cleanly, if it did not; ``ran`` adds how it was run to the message."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        return [Problem(f"`{command}` cannot be split into words: {error}", where, _QUOTING)]
    result = venv.run(words, cwd=cwd, timeout=timeout)
    why = unclean(result)
    if why is None:
        return []
    return [
        Problem(
            f"`{command}` {why}{ran}:\n{result.tail()}",
            where,
            "make the command end with a message and an exit code, never a traceback; "
            "catch the error where the CLI parses its input",
        )
    ]


def demo_paths(command: str, root: Path, packages: Sequence[Package]) -> list[str]:
    """The files and folders of the repo at ``root`` that the words of ``command`` name
    (``demo/flow.yaml``, or the value of ``--config=demo/app.toml``): POSIX paths relative to
    ``root``, in order, once each.

    Left out: the root itself and paths outside it, a folder holding a package, and a path
    whose first part is a top-level import name. Copied to the folder a command runs in,
    that would be imported by ``python -m`` or ``python -c`` in place of what was installed.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        return []
    tops = {name.split(".")[0] for package in packages for name in package.import_packages}
    found: list[str] = []
    for word in words:
        for text in (word, word.partition("=")[2] if word.startswith("-") else ""):
            if not text or text.startswith("-") or Path(text).is_absolute():
                continue
            path = Path(os.path.normpath(root / text))
            if path == root or not path.is_relative_to(root) or not path.exists():
                continue
            relative = path.relative_to(root)
            holds_package = any(p.folder.is_relative_to(path) for p in packages)
            if holds_package or relative.parts[0].removesuffix(".py") in tops:
                continue
            if relative.as_posix() not in found:
                found.append(relative.as_posix())
    return found


def copy_demo_files(paths: Sequence[str], root: Path, scratch: Path) -> None:
    """Copy ``paths`` (relative to ``root``) to the same places below ``scratch``."""
    for relative in paths:
        source, target = root / relative, scratch / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=_LITTER, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
