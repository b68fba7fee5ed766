"""Fresh virtual environments outside the target repo: create, install, run.

uv when it is installed (a dependency of pytest-release; several times faster for this
work), else ``python -m venv`` and pip, behind one interface.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_release.target.monorepo import Monorepo

INSTALL_SECONDS = 900
TRACEBACK = "Traceback (most recent call last):"
# Variables that would carry the parent session (or the user's shell) into a child.
_LEAKING = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "VIRTUAL_ENV",
    "PYTEST_CURRENT_TEST",
    "PYTEST_VERSION",
    "PIP_REQUIRE_VIRTUALENV",
    "CONDA_PREFIX",
)


@dataclass(frozen=True)
class CommandResult:
    command: tuple[str, ...]
    returncode: int | None  # None: stopped at the timeout
    output: str  # stdout and stderr, interleaved as the command wrote them
    timeout: float | None = None
    not_found: bool = False  # the program does not exist

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    @property
    def signal_name(self) -> str | None:
        """The signal that killed the command, if one did."""
        if self.returncode is None or self.returncode >= 0:
            return None
        try:
            return signal.Signals(-self.returncode).name
        except ValueError:
            return f"signal {-self.returncode}"

    @property
    def has_traceback(self) -> bool:
        return TRACEBACK in self.output

    def tail(self, lines: int = 30) -> str:
        kept = self.output.rstrip().splitlines()[-lines:]
        return "\n".join(f"    {line}" for line in kept) or "    (no output)"

    def describe(self) -> str:
        shown = " ".join(self.command)
        if self.not_found:
            return f"`{shown}` could not start: there is no program {self.command[0]!r}"
        if self.timed_out:
            return f"`{shown}` did not finish within {self.timeout:g} s"
        if self.signal_name:
            return f"`{shown}` was killed by {self.signal_name}"
        return f"`{shown}` exited {self.returncode}"


def clean_environment(extra_path: Path | None = None) -> dict[str, str]:
    """The environment for a child process: none of the session's Python settings."""
    environment = {k: v for k, v in os.environ.items() if k not in _LEAKING}
    environment["PYTHONNOUSERSITE"] = "1"
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    if extra_path is not None:
        environment["PATH"] = f"{extra_path}{os.pathsep}{environment.get('PATH', '')}"
    return environment


def run_command(
    command: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    environment: Mapping[str, str],
) -> CommandResult:
    """Run ``command``; a missing program or a timeout is a result, never an exception."""
    try:
        completed = subprocess.run(
            list(command),
            cwd=cwd,
            env=dict(environment),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as error:
        return CommandResult(
            tuple(command), 127, f"{error.filename}: command not found", not_found=True
        )
    except subprocess.TimeoutExpired as expired:
        output = expired.output if isinstance(expired.output, str) else ""
        return CommandResult(tuple(command), None, output, timeout)
    return CommandResult(tuple(command), completed.returncode, completed.stdout, timeout)


def uv_binary() -> str | None:
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
            command, cwd=path.parent, timeout=INSTALL_SECONDS, environment=clean_environment()
        )
        if not result.ok:
            raise VenvError(
                f"creating a virtual environment failed: {result.describe()}\n{result.tail()}"
            )
        return cls(path, uv)

    def environment(self) -> dict[str, str]:
        environment = clean_environment(self.bin)
        environment["VIRTUAL_ENV"] = str(self.path)
        return environment

    def install(self, *arguments: str, cwd: Path | None = None) -> CommandResult:
        """``pip install ARGUMENTS`` into this venv (uv's pip interface when available)."""
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
            environment=self.environment(),
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
        environment = self.environment() | dict(variables or {})
        return run_command(command, cwd=cwd, timeout=timeout, environment=environment)

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
    venv: FreshVenv, monorepo: Monorepo, extras: Sequence[str] = ()
) -> dict[str, CommandResult | NotAttempted]:
    """Install each package editable in publish order, one at a time so that a failure
    belongs to its package; ``extras`` that a package defines come along.

    Each install names the package's internal dependencies as editable folders too, so
    the installer takes them from the tree and never from an index, where a same-named
    project of someone else's may live; one that failed before is not tried again.
    """
    results: dict[str, CommandResult | NotAttempted] = {}
    for package in monorepo.packages:
        needed = [dependency.name for dependency in monorepo.reachable([package])]
        failed = [name for name in needed if not results[name].ok]
        if failed:
            results[package.name] = NotAttempted(
                f"not installed: it requires {', '.join(failed)}, whose install failed"
            )
            continue
        wanted = [extra for extra in extras if extra in package.optional_dependencies]
        target = f"{package.folder}[{','.join(wanted)}]" if wanted else str(package.folder)
        folders = [package.folder, *(monorepo.package(name).folder for name in needed)]
        editables = [target, *map(str, folders[1:])]
        with _leaving_no_build_metadata(folders):
            results[package.name] = venv.install(
                *(part for folder in editables for part in ("--editable", folder))
            )
    return results


def install_failure(result: CommandResult | NotAttempted) -> str:
    """How an install ended, with the installer's output when it ran."""
    if isinstance(result, NotAttempted):
        return result.reason
    return f"{result.describe()}\n{result.tail()}"


@contextmanager
def _leaving_no_build_metadata(folders: Sequence[Path]) -> Iterator[None]:
    """An editable build may write *.egg-info (setuptools) or build/ into a package
    folder; the gates leave the target as they found it, so what appears is removed."""
    patterns = ("*.egg-info", "*/*.egg-info", "build")

    def present() -> set[Path]:
        return {path for folder in folders for pattern in patterns for path in folder.glob(pattern)}

    before = present()
    try:
        yield
    finally:
        for path in present() - before:
            shutil.rmtree(path, ignore_errors=True)
