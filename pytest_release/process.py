"""The one runner of child processes: every program the package starts (git, uv, pip, build
backends, twine, pypiserver, the target's tests, smoke commands) starts here.

- ``child_environment``: what a child inherits, the one environment policy: release
  secrets reach no child but the git push (the upload is handed its own index's
  credentials), the user's install-index credentials only the installers;
- ``run_command``: a command run to its end in its own process group, stdin from /dev/null,
  its output captured to a temporary file of which only the tail is kept, a timeout that
  kills the whole group; a missing program or a timeout is a result, never an exception;
- ``start_background``: a long-running command in its own process group, its output
  appended to a log file; ``Background.stop`` ends the group; with ``parent_pipe``, a
  stdin that reaches its end once this process has ended, however it ended;
- ``quoted``: a child's output as a message quotes it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO, Literal

from pytest_release.redact import (
    INSTALL_INDEX_VARIABLES,
    is_release_secret,
    known_secrets,
    release_secrets,
    scrub_secrets,
    split_credentials,
)

MAX_CAPTURED_BYTES = 1 << 20  # of a stream's tail kept in memory; the rest is counted
TAIL_LINES = 30
STOP_GRACE_SECONDS = 5.0  # between asking a background child to end and killing it
NOT_FOUND = 127  # a shell's exit code for a missing program
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
Decoding = Literal["replace", "surrogateescape"]


class Access(Enum):
    """Which credentials of this process's environment a child may see."""

    NONE = "none"  # the target's tests, smoke commands, git's reads, twine check, the index
    INSTALL = "install"  # installers and build frontends: the user's install-index credentials
    PUSH = "push"  # git push: the environment as it is, credential helpers' tokens included


def child_environment(
    variables: Mapping[str, str] | None = None,
    *,
    first_on_path: Path | None = None,
    colour: bool = True,
    access: Access = Access.NONE,
) -> dict[str, str]:
    """The environment of a child process. Every child of the package gets its environment
    from here, and what a child may inherit is decided here and nowhere else.

    This process's environment without the variables that carry the parent session into
    a child (the interpreter's paths, pytest's options, the active virtual environment),
    with no user site-packages and no bytecode written into the target. Unless ``access``
    is ``PUSH``: without any release secret (twine's variables, index and CI tokens, the
    OIDC request of trusted publishing, and any variable that holds one of their values);
    unless it is ``INSTALL``: the user's install-index URLs without the credentials
    written into them. Then the caller's ``variables`` (the upload's own credentials, say),
    and ``first_on_path`` put first on PATH. ``colour=False``, for output that is read or
    quoted rather than shown on a terminal, asks for no colour codes.
    """
    environment = {key: value for key, value in os.environ.items() if key not in _LEAKING}
    if access is not Access.PUSH:
        secrets = release_secrets(environment)
        environment = {
            key: value
            for key, value in environment.items()
            if not is_release_secret(key, value) and not any(s in value for s in secrets)
        }
    if access is Access.NONE:
        for name in INSTALL_INDEX_VARIABLES:
            if name in environment:
                urls = environment[name].replace(",", " ").split()
                plain = [split_credentials(url)[0] for url in urls]
                environment[name] = " ".join(plain) if plain != urls else environment[name]
    environment["PYTHONNOUSERSITE"] = "1"
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    if not colour:
        environment.pop("FORCE_COLOR", None)
        environment["NO_COLOR"] = "1"
    environment.update(variables or {})
    if first_on_path is not None:
        environment["PATH"] = f"{first_on_path}{os.pathsep}{environment.get('PATH', '')}"
    return environment


@dataclass(frozen=True)
class CommandResult:
    """How a command ended, and the tail of what it wrote (``left_out`` counts the rest)."""

    command: tuple[str, ...]
    returncode: int | None  # None: stopped at the timeout
    output: str  # stdout and stderr, interleaved as the command wrote them (see ``errors``)
    timeout: float | None = None
    not_found: bool = False  # the program does not exist
    left_out: int = 0  # bytes of earlier output not kept
    errors: str = ""  # stderr, when it was kept apart from the output
    errors_left_out: int = 0  # bytes of earlier stderr not kept

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

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The last ``lines`` of the output, as a message quotes them."""
        return quoted(self.output, last=lines, left_out=self.left_out)

    def describe(self) -> str:
        shown = scrub_secrets(" ".join(self.command), known_secrets(os.environ))
        if self.not_found:
            return f"`{shown}` could not start: there is no program {self.command[0]!r}"
        if self.timed_out:
            return f"`{shown}` did not finish within {self.timeout:g} s"
        if self.signal_name:
            return f"`{shown}` was killed by {self.signal_name}"
        return f"`{shown}` exited {self.returncode}"


def run_command(
    command: Sequence[str],
    *,
    timeout: float,
    environment: Mapping[str, str],
    cwd: Path | None = None,
    separate_stderr: bool = False,
    stdout_file: Path | None = None,
    whole_stdout: bool = False,
    decoding: Decoding = "replace",
) -> CommandResult:
    """Run ``command`` to its end (or ``timeout``, when its whole process group is killed).

    The output is the last ``MAX_CAPTURED_BYTES`` of stdout with stderr merged in as
    written. Options: ``separate_stderr`` keeps stderr apart (``errors``);
    ``stdout_file`` sends stdout to that file instead (the output then holds stderr
    unless it is kept apart); ``whole_stdout`` keeps every byte of stdout, for output the
    caller parses and never quotes (git's answers). Bytes that are not UTF-8 are replaced,
    or with ``decoding="surrogateescape"`` escaped as ``os.fsdecode`` does, so that file
    names read from the output name the same files.

    Whatever way it ends, nothing the command started in its process group outlives it.
    Every secret known to this process or written into ``environment`` is masked in the
    output it keeps (not in ``whole_stdout``, which is data, nor in ``stdout_file``).
    """
    shown = tuple(command)
    with contextlib.ExitStack() as files:
        captured = files.enter_context(tempfile.TemporaryFile())
        apart = files.enter_context(tempfile.TemporaryFile()) if separate_stderr else None
        stdout = captured if stdout_file is None else files.enter_context(stdout_file.open("wb"))
        try:
            process = subprocess.Popen(
                shown,
                cwd=cwd,
                env=dict(environment),
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=captured if apart is None else apart,
                start_new_session=True,
            )
        except FileNotFoundError as error:
            output = f"{error.filename}: command not found"
            return CommandResult(shown, NOT_FOUND, output, timeout, not_found=True)
        try:
            returncode: int | None = process.wait(timeout)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:  # on a timeout, an interrupt, or what it left running
            _signal_group(process, kill=True)
            process.wait()
        keep_all = whole_stdout and stdout is captured
        output, left_out = _read_tail(captured, None if keep_all else MAX_CAPTURED_BYTES, decoding)
        errors, errors_left_out = (
            _read_tail(apart, MAX_CAPTURED_BYTES, decoding) if apart else ("", 0)
        )
    secrets = known_secrets(os.environ) | known_secrets(environment)
    errors = scrub_secrets(errors, secrets)
    if not keep_all:
        output = scrub_secrets(output, secrets)
    return CommandResult(
        shown,
        returncode,
        output,
        timeout,
        left_out=left_out,
        errors=errors,
        errors_left_out=errors_left_out,
    )


class Background:
    """A command started by ``start_background``: running in its own process group, its
    stdout and stderr appended to ``log``."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self._process = process
        self.pid = process.pid
        self.log = log
        self._parent_pipe = process.stdin  # the write end of its stdin, with ``parent_pipe``

    @property
    def returncode(self) -> int | None:
        """Its exit code when it has ended, else None."""
        return self._process.poll()

    def wait(self, timeout: float | None = None) -> int | None:
        """Its exit code, waiting for it at most ``timeout`` seconds; None if it still runs."""
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Kill it and everything it started, at once; ``wait`` reaps it. Safe from any
        thread (a Ctrl-C stops every running build this way)."""
        _signal_group(self._process, kill=True)

    def stop(self) -> None:
        """Ask it and everything it started to end (SIGTERM), kill what is left after
        ``STOP_GRACE_SECONDS``, and reap it. Once it has ended this does nothing."""
        if self._process.poll() is None:
            _signal_group(self._process, kill=False)
            self.wait(STOP_GRACE_SECONDS)
            self.kill()
            self._process.wait()
        if self._parent_pipe is not None:
            self._parent_pipe.close()


def start_background(
    command: Sequence[str],
    *,
    log: Path,
    cwd: Path,
    environment: Mapping[str, str],
    parent_pipe: bool = False,
) -> Background:
    """Start ``command`` in its own process group, stdout and stderr appended to ``log``;
    OSError when it cannot start (a missing program).

    Its stdin is /dev/null; with ``parent_pipe`` a pipe that nothing is ever written to and
    that only this process holds open (no other child inherits it): reading it waits until
    this process has ended, however it ended, SIGKILL included. A command that must not
    outlive the session (a server) reads it to its end and exits then."""
    with log.open("ab") as sink:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(environment),
            stdin=subprocess.PIPE if parent_pipe else subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Background(process, log)


def log_tail(log: Path) -> tuple[str, int]:
    """The last ``MAX_CAPTURED_BYTES`` of the file ``log``, and how many bytes came before."""
    with log.open("rb") as file:
        text, left_out = _read_tail(file, MAX_CAPTURED_BYTES, "replace")
    return scrub_secrets(text, known_secrets(os.environ)), left_out


def quoted(text: str, *, last: int | None = None, left_out: int = 0) -> str:
    """A child's output as a message quotes it: its last ``last`` lines (all by default),
    indented, after a line that counts the ``left_out`` bytes of earlier output."""
    lines = text.rstrip().splitlines()
    kept = lines if last is None else lines[-last:]
    if left_out:
        kept = [f"({left_out} bytes of earlier output left out)", *kept]
    return "\n".join(f"    {line}" for line in kept) or "    (no output)"


def _read_tail(file: IO[bytes], limit: int | None, decoding: Decoding) -> tuple[str, int]:
    """The last ``limit`` bytes of ``file`` (all with None), decoded, and how many came
    before them."""
    size = file.seek(0, os.SEEK_END)
    start = 0 if limit is None else max(0, size - limit)
    file.seek(start)
    return file.read().decode("utf-8", decoding), start


def _signal_group(process: subprocess.Popen[bytes], *, kill: bool) -> None:
    """SIGKILL (``kill``) or SIGTERM to ``process`` and everything it started: its process
    group. Windows has no group to signal: there ``process`` alone is killed."""
    if sys.platform == "win32":
        process.kill()
        return
    number = signal.SIGKILL if kill else signal.SIGTERM
    try:
        os.killpg(process.pid, number)
    except ProcessLookupError:  # the group has ended
        pass
    except PermissionError:  # macOS refuses a group with only zombies left: end the leader
        process.send_signal(number)
