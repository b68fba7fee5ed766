"""Fresh virtual environments outside the target repo: create, install, run.

uv when it is installed (a dependency of pytest-release; several times faster for this
work), else ``python -m venv`` and pip, behind one interface.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_release.process import Access, CommandResult, child_environment, run_command

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pytest_release.target.monorepo import Monorepo, Package

INSTALL_SECONDS = 900
_EDITABLE_BUILDS = threading.Lock()
_UV_LOOKUP = threading.Lock()


def uv_binary() -> str | None:
    """uv's executable, or None. One lookup at a time, made once: the uv module's reads
    Python's build configuration, whose first read is not thread-safe (a thread reading it
    while another fills it finds it empty), and venvs are made in several threads."""
    with _UV_LOOKUP:
        return _find_uv()


@cache
def _find_uv() -> str | None:
    try:
        from uv import find_uv_bin
    except ImportError:
        return shutil.which("uv")
    try:
        return find_uv_bin()
    except FileNotFoundError:
        return shutil.which("uv")


class FreshVenv:
    """A virtual environment of its own, with no path of the target repo in it."""

    def __init__(self, path: Path, uv: str | None) -> None:
        self.path = path
        self.uv = uv
        self.bin = path / ("Scripts" if os.name == "nt" else "bin")
        self.python_executable = self.bin / ("python.exe" if os.name == "nt" else "python")

    @classmethod
    def create(cls, path: Path, *, use_uv: bool = True) -> FreshVenv:
        """Create the venv with the interpreter running the gates; VenvError on failure."""
        uv = uv_binary() if use_uv else None
        if uv:
            command = [uv, "venv", "--quiet", "--python", sys.executable, str(path)]
        else:
            command = [sys.executable, "-m", "venv", str(path)]
        result = run_command(
            command, cwd=path.parent, timeout=INSTALL_SECONDS, environment=child_environment()
        )
        if not result.ok:
            raise VenvError(
                f"creating a virtual environment failed: {result.describe()}\n{result.tail()}"
            )
        return cls(path, uv)

    def environment(
        self, variables: Mapping[str, str] | None = None, *, access: Access = Access.NONE
    ) -> dict[str, str]:
        """A child's environment with this venv active (and ``variables`` set); ``access``:
        which credentials it may see (an installer: the user's install indexes')."""
        active = {"VIRTUAL_ENV": str(self.path), **(variables or {})}
        return child_environment(active, first_on_path=self.bin, access=access)

    def install(
        self,
        *arguments: str,
        cwd: Path | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> CommandResult:
        """``pip install ARGUMENTS`` into this venv (uv's pip interface when available), with
        ``variables`` set (the release version for a tool that computes it at build time)."""
        if self.uv:
            command = [self.uv, "pip", "install", "--python", str(self.python_executable)]
        else:
            command = [
                str(self.python_executable),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
            ]
        return run_command(
            [*command, *arguments],
            cwd=cwd or self.path,
            timeout=INSTALL_SECONDS,
            environment=self.environment(variables, access=Access.INSTALL),
        )

    def run(
        self,
        command: Sequence[str],
        *,
        cwd: Path,
        timeout: float = 60,
        variables: Mapping[str, str] | None = None,
    ) -> CommandResult:
        """Run a command with this venv's bin/ first on PATH (and ``variables`` set)."""
        return run_command(
            command, cwd=cwd, timeout=timeout, environment=self.environment(variables)
        )

    def python(
        self, code: str, *arguments: str, cwd: Path | None = None, timeout: float = 60
    ) -> CommandResult:
        """Run Python code in this venv, from a folder outside any repo by default."""
        return self.run(
            [str(self.python_executable), "-c", code, *arguments],
            cwd=cwd or self.path,
            timeout=timeout,
        )


class VenvError(Exception):
    """A virtual environment could not be made; the message holds the tool's output."""


@dataclass(frozen=True)
class NotAttempted:
    """An install that was not tried, and why (an internal dependency failed before it)."""

    reason: str
    ok = False


def install_editable(
    venv: FreshVenv,
    monorepo: Monorepo,
    extras: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> dict[str, CommandResult | NotAttempted]:
    """Install every package editable, with the ``extras`` it defines, in one installer
    call; only when that fails, each package again in publish order, one at a time, so
    that a failure belongs to its package (``progress`` is told which).

    A per-package install names the package's internal dependencies as editable folders
    too, so the installer takes them from the tree and never from an index, where a
    same-named project of someone else's may live; one that failed before is not tried
    again.
    """
    tell = progress or (lambda line: None)
    packages = monorepo.packages
    together = _merged_overrides(packages)
    if together is not None:
        tell(f"installing {', '.join(package.name for package in packages)} editable")
        with _leaving_no_build_metadata([package.folder for package in packages]):
            result = venv.install(
                *_editable_arguments([_target(package, extras) for package in packages]),
                variables=together,
            )
        if result.ok:
            return dict.fromkeys((package.name for package in packages), result)
        tell("one of them failed: installing them one at a time to tell which")
    results: dict[str, CommandResult | NotAttempted] = {}
    for package in packages:
        needed = [dependency.name for dependency in monorepo.reachable([package])]
        failed = [name for name in needed if not results[name].ok]
        if failed:
            results[package.name] = NotAttempted(
                f"not installed: it requires {', '.join(failed)}, whose install failed"
            )
            continue
        dependencies = [monorepo.package(name) for name in needed]
        targets = [_target(package, extras), *(str(each.folder) for each in dependencies)]
        overrides = _merged_overrides([package, *dependencies]) or package.version_override
        tell(f"installing {package.name} editable")
        with _leaving_no_build_metadata([package.folder, *(each.folder for each in dependencies)]):
            results[package.name] = venv.install(*_editable_arguments(targets), variables=overrides)
    return results


def _target(package: Package, extras: Sequence[str]) -> str:
    """The package's folder, with those of ``extras`` it defines."""
    wanted = [extra for extra in extras if extra in package.optional_dependencies]
    return f"{package.folder}[{','.join(wanted)}]" if wanted else str(package.folder)


def _editable_arguments(targets: Sequence[str]) -> list[str]:
    return [part for target in targets for part in ("--editable", target)]


def _merged_overrides(packages: Sequence[Package]) -> dict[str, str] | None:
    """The version variables of ``packages`` together; None when two tell one variable
    different versions (independent versions computed from git): they need one install
    each."""
    merged: dict[str, str] = {}
    for package in packages:
        for name, value in package.version_override.items():
            if merged.setdefault(name, value) != value:
                return None
    return merged


def install_failure(result: CommandResult | NotAttempted) -> str:
    """How an install ended, with the installer's output when it ran."""
    if isinstance(result, NotAttempted):
        return result.reason
    return f"{result.describe()}\n{result.tail()}"


@contextmanager
def _leaving_no_build_metadata(folders: Sequence[Path]) -> Iterator[None]:
    """An editable build may write *.egg-info (setuptools) or build/ into a package
    folder; the gates leave the target as they found it, so what appears is removed.
    One editable install at a time (the editable gate's runs beside the tests gate's):
    another's metadata is neither taken for the target's nor removed under it."""
    patterns = ("*.egg-info", "*/*.egg-info", "build")

    def present() -> set[Path]:
        return {path for folder in folders for pattern in patterns for path in folder.glob(pattern)}

    with _EDITABLE_BUILDS:
        before = present()
        try:
            yield
        finally:
            for path in present() - before:
                shutil.rmtree(path, ignore_errors=True)
