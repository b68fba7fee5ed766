"""The process runner against real child processes (``sys.executable -c ...``).

A child may sleep to stand for a hang; the tests never sleep to wait for something: they
wait on a pidfd (readable once a process has exited) or a FIFO (readable once written).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_release import process
from pytest_release.process import (
    MAX_CAPTURED_BYTES,
    Access,
    CommandResult,
    child_environment,
    log_tail,
    quoted,
    run_command,
    start_background,
)

linux_only = pytest.mark.skipif(
    sys.platform != "linux", reason="process groups and pidfds as Linux has them"
)
# Starts a grandchild that would sleep for 10 minutes and says its pid in the file argv[1].
WITH_GRANDCHILD = """
import subprocess, sys
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(sys.argv[1], "w") as file:
    file.write(f"{grandchild.pid}\\n")
"""
HANGS = "import time; time.sleep(600)"


def python(code: str, *arguments: str) -> list[str]:
    return [sys.executable, "-c", code, *arguments]


def run(command: list[str], **options: Any) -> CommandResult:
    """``command`` run with the policy's environment and a minute to finish."""
    return run_command(command, timeout=60, environment=child_environment(), **options)


def ended(pid: int) -> bool:
    """Whether process ``pid`` has exited (a zombie has: its killed parent cannot reap it),
    waiting at most 10 s for the kernel to say so on a pidfd."""
    try:
        os.kill(pid, 0)
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([pidfd], [], [], 10)
    finally:
        os.close(pidfd)
    return bool(readable)


def read_line(fifo: Path) -> str:
    """The first line written to ``fifo``, waiting at most 30 s for it."""
    descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    data = b""
    try:
        while not data.endswith(b"\n"):
            readable, _, _ = select.select([descriptor], [], [], 30)
            assert readable, f"nothing written to {fifo}"
            chunk = os.read(descriptor, 100)
            assert chunk, f"{fifo} was closed before a whole line"
            data += chunk
    finally:
        os.close(descriptor)
    return data.decode()


# --- run_command ------------------------------------------------------------------------------


def test_output_and_exit_code() -> None:
    result = run(python("import sys; print('hello'); sys.exit(3)"))
    assert (result.returncode, result.output, result.left_out) == (3, "hello\n", 0)
    assert not result.ok
    assert result.describe().endswith("exited 3")


def test_stdin_is_empty() -> None:
    result = run(python("import sys; print(repr(sys.stdin.read()))"))
    assert result.output == "''\n"


@linux_only
def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    code = f"{WITH_GRANDCHILD}\nprint('waiting', flush=True)\nimport time; time.sleep(600)"

    result = run_command(python(code, str(pid_file)), timeout=3, environment=child_environment())

    assert result.timed_out
    assert result.returncode is None
    assert result.describe().endswith("did not finish within 3 s")
    assert result.output == "waiting\n"  # what it wrote before it was stopped
    assert ended(int(pid_file.read_text()))


@linux_only
def test_nothing_a_command_started_outlives_it(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"

    result = run(python(WITH_GRANDCHILD, str(pid_file)))

    assert result.ok
    assert ended(int(pid_file.read_text()))


def test_a_missing_program_is_a_result() -> None:
    result = run(["no-such-program-pytest-release"])
    assert result.not_found
    assert result.returncode == process.NOT_FOUND
    assert result.describe() == (
        "`no-such-program-pytest-release` could not start: "
        "there is no program 'no-such-program-pytest-release'"
    )


WRITES_BOTH = "import sys; print('out', flush=True); print('err', file=sys.stderr, flush=True)"


def test_stderr_is_merged_in_order_by_default() -> None:
    result = run(python(f"{WRITES_BOTH}; print('out again')"))
    assert (result.output, result.errors) == ("out\nerr\nout again\n", "")


def test_stderr_kept_apart() -> None:
    result = run(python(WRITES_BOTH), separate_stderr=True)
    assert (result.output, result.errors) == ("out\n", "err\n")


def test_stdout_to_a_file_holds_its_bytes_and_the_output_holds_stderr(tmp_path: Path) -> None:
    destination = tmp_path / "stdout.bin"
    code = "import sys; sys.stdout.buffer.write(bytes(range(256))); print('note', file=sys.stderr)"

    result = run(python(code), stdout_file=destination)

    assert destination.read_bytes() == bytes(range(256))
    assert result.output == "note\n"


@pytest.mark.parametrize(
    ("written", "whole_stdout", "output", "left_out"),
    [
        pytest.param(MAX_CAPTURED_BYTES, False, "b" * MAX_CAPTURED_BYTES, 0, id="at-the-bound"),
        pytest.param(
            MAX_CAPTURED_BYTES + 1000, False, "b" * MAX_CAPTURED_BYTES, 1000, id="over-it"
        ),
        pytest.param(
            MAX_CAPTURED_BYTES + 1000,
            True,
            "a" * 1000 + "b" * MAX_CAPTURED_BYTES,
            0,
            id="whole-stdout",
        ),
    ],
)
def test_capture_keeps_the_tail_and_counts_what_it_cut(
    written: int, whole_stdout: bool, output: str, left_out: int
) -> None:
    early = written - MAX_CAPTURED_BYTES
    code = f"import sys; sys.stdout.write('a' * {early} + 'b' * {MAX_CAPTURED_BYTES})"

    result = run(python(code), whole_stdout=whole_stdout)

    assert (len(result.output), result.left_out) == (len(output), left_out)
    assert result.output == output


def test_the_tail_says_how_much_was_left_out() -> None:
    result = CommandResult(("noisy",), 1, "".join(f"line {n}\n" for n in range(50)), left_out=7)
    assert result.tail(2) == ("    (7 bytes of earlier output left out)\n    line 48\n    line 49")


@pytest.mark.parametrize(
    ("decoding", "output"),
    [("replace", "\ufffd\n"), ("surrogateescape", os.fsdecode(b"\xff\n"))],
)
def test_bytes_that_are_not_utf8(decoding: process.Decoding, output: str) -> None:
    code = "import sys; sys.stdout.buffer.write(b'\\xff\\n')"
    assert run(python(code), decoding=decoding).output == output


# --- CommandResult ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "described"),
    [
        (CommandResult(("x", "-y"), 0, ""), "`x -y` exited 0"),
        (CommandResult(("x",), None, "", timeout=1.5), "`x` did not finish within 1.5 s"),
        (CommandResult(("x",), -signal.SIGKILL, ""), "`x` was killed by SIGKILL"),
        (CommandResult(("x",), -200, ""), "`x` was killed by signal 200"),
        (
            CommandResult(("x",), 127, "", not_found=True),
            "`x` could not start: there is no program 'x'",
        ),
    ],
)
def test_describe(result: CommandResult, described: str) -> None:
    assert result.describe() == described


# --- the environment policy -------------------------------------------------------------------

LEAKING = (
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


@pytest.mark.parametrize("name", LEAKING)
def test_the_environment_drops_what_carries_the_session(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, "from the session")
    monkeypatch.setenv("KEPT_BY_THE_CHILD", "yes")
    environment = child_environment()
    assert name not in environment
    assert environment["KEPT_BY_THE_CHILD"] == "yes"


def test_a_child_sees_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_ADDOPTS", "-x")
    code = "import os; print(os.environ.get('PYTEST_ADDOPTS'), os.environ['PYTHONNOUSERSITE'])"
    assert run(python(code)).output == "None 1\n"


def test_the_environment_adds_variables_and_a_folder_first_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin")
    monkeypatch.setenv("FORCE_COLOR", "1")
    environment = child_environment({"VIRTUAL_ENV": "/venv", "LC_ALL": "C"}, first_on_path=tmp_path)
    assert environment["PATH"] == f"{tmp_path}{os.pathsep}/usr/bin"
    assert (environment["VIRTUAL_ENV"], environment["LC_ALL"]) == ("/venv", "C")
    assert (environment["PYTHONNOUSERSITE"], environment["PYTHONDONTWRITEBYTECODE"]) == ("1", "1")
    assert environment["FORCE_COLOR"] == "1"


def test_no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    environment = child_environment(colour=False)
    assert "FORCE_COLOR" not in environment
    assert environment["NO_COLOR"] == "1"


# --- credentials: release secrets reach no child but the push -------------------------------

SENTINEL = "sentinel-release-secret-7c1d"
RELEASE_SECRETS = {
    "TWINE_PASSWORD": SENTINEL,
    "TWINE_USERNAME": "__token__",
    "GITHUB_TOKEN": "ghs_sentinel-github-token",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "sentinel-oidc-request-token",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://oidc.example/request",
    "RELEASE_PYPI_TOKEN": "pypi-AgEIcHlwaS5vcmcsentinelsentinel",
    "MY_OWN_COPY": f"prefix-{SENTINEL}",  # a variable that holds a secret's value
}
PRIVATE_INDEX = "https://reader:index-s3cret@mirror.example/simple/"


@pytest.fixture
def secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in RELEASE_SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PIP_INDEX_URL", PRIVATE_INDEX)
    monkeypatch.setenv("HARMLESS", "kept")


@pytest.mark.usefixtures("secrets_in_the_environment")
@pytest.mark.parametrize("access", [Access.NONE, Access.INSTALL])
def test_no_child_but_the_push_sees_a_release_secret(access: Access) -> None:
    environment = child_environment(access=access)
    assert not set(RELEASE_SECRETS) & set(environment)
    assert environment["HARMLESS"] == "kept"


@pytest.mark.usefixtures("secrets_in_the_environment")
def test_only_installers_see_the_install_index_credentials() -> None:
    assert child_environment(access=Access.INSTALL)["PIP_INDEX_URL"] == PRIVATE_INDEX
    # Others keep the index (no other one is taken in its place), not its credentials.
    assert child_environment()["PIP_INDEX_URL"] == "https://mirror.example/simple/"


@pytest.mark.usefixtures("secrets_in_the_environment")
def test_the_push_sees_the_environment_as_it_is() -> None:
    environment = child_environment(access=Access.PUSH)
    assert {name: environment[name] for name in RELEASE_SECRETS} == RELEASE_SECRETS


@pytest.mark.usefixtures("secrets_in_the_environment")
def test_an_upload_gets_the_credentials_it_is_handed() -> None:
    environment = child_environment({"TWINE_PASSWORD": "for-this-index"})
    assert environment["TWINE_PASSWORD"] == "for-this-index"
    assert "GITHUB_TOKEN" not in environment


@pytest.mark.usefixtures("secrets_in_the_environment")
def test_a_child_that_prints_its_environment_shows_no_secret() -> None:
    code = "import os; print(sorted(os.environ.items()))"
    result = run(python(code))
    assert result.ok
    for value in [*RELEASE_SECRETS.values(), "index-s3cret"]:
        assert value not in result.output


@pytest.mark.usefixtures("secrets_in_the_environment")
def test_what_a_child_shows_of_a_secret_it_was_handed_is_masked() -> None:
    code = "import os; print(os.environ['TWINE_PASSWORD'])"
    environment = child_environment({"TWINE_PASSWORD": "handed-to-the-upload"})
    result = run_command(python(code), timeout=60, environment=environment)
    assert result.output == "****\n"


# --- rendering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "last", "left_out", "shown"),
    [
        ("", None, 0, "    (no output)"),
        ("a\n\nb\n\n", None, 0, "    a\n    \n    b"),
        ("a\nb\nc", 2, 0, "    b\n    c"),
        ("a\nb", 5, 0, "    a\n    b"),
        ("a", None, 12, "    (12 bytes of earlier output left out)\n    a"),
    ],
)
def test_quoted(text: str, last: int | None, left_out: int, shown: str) -> None:
    assert quoted(text, last=last, left_out=left_out) == shown


def test_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_bytes(b"x" * 3 + b"y" * MAX_CAPTURED_BYTES)
    assert log_tail(log) == ("y" * MAX_CAPTURED_BYTES, 3)


# --- start_background -------------------------------------------------------------------------


@linux_only
def test_stop_ends_a_background_command_and_what_it_started(tmp_path: Path) -> None:
    fifo = tmp_path / "started"
    os.mkfifo(fifo)
    log = tmp_path / "child.log"
    code = f"print('serving', flush=True)\n{WITH_GRANDCHILD}\nimport time; time.sleep(600)"

    child = start_background(
        python(code, str(fifo)), log=log, cwd=tmp_path, environment=child_environment()
    )
    grandchild = int(read_line(fifo))
    assert child.returncode is None
    child.stop()

    assert child.returncode == -signal.SIGTERM
    assert ended(grandchild)
    assert "serving" in log.read_text()
    child.stop()  # again: nothing to do


@linux_only
def test_stop_kills_what_ignores_the_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process, "STOP_GRACE_SECONDS", 0.2)
    fifo = tmp_path / "started"
    os.mkfifo(fifo)
    code = (
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "open(sys.argv[1], 'w').write('ignoring\\n')\ntime.sleep(600)"
    )
    child = start_background(
        python(code, str(fifo)),
        log=tmp_path / "child.log",
        cwd=tmp_path,
        environment=child_environment(),
    )
    read_line(fifo)

    child.stop()

    assert child.returncode == -signal.SIGKILL


# A background command with a parent pipe: says its pid in the FIFO argv[1], reads its
# stdin to the end, then says "ended" in the file argv[2].
WATCHER = """
import os, sys
with open(sys.argv[1], "w") as fifo:
    fifo.write(f"{os.getpid()}\\n")
sys.stdin.buffer.read()
with open(sys.argv[2], "w") as said:
    said.write("ended")
"""
# Its parent, which a test kills: starts the command argv[1] (with its arguments) with a
# parent pipe, its log in the folder argv[2], and hangs.
PARENT = """
import sys, time
from pathlib import Path
from pytest_release.process import child_environment, start_background
folder = Path(sys.argv[2])
start_background(
    [sys.executable, "-c", sys.argv[1], *sys.argv[3:]],
    log=folder / "watcher.log",
    cwd=folder,
    environment=child_environment(),
    parent_pipe=True,
)
time.sleep(600)
"""


@linux_only
def test_a_parent_pipe_ends_when_the_parent_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves the parent no chance to stop anything: its end of the pipe closes all
    the same, and the command that reads it learns that its parent is gone."""
    fifo, said = tmp_path / "started", tmp_path / "said"
    os.mkfifo(fifo)
    parent = subprocess.Popen(python(PARENT, WATCHER, str(tmp_path), str(fifo), str(said)))
    try:
        watcher = int(read_line(fifo))
        assert not said.exists()  # reading: nothing was written, the parent lives
    finally:
        parent.kill()
        parent.wait()

    assert ended(watcher)
    assert said.read_text() == "ended"


def test_a_background_command_that_cannot_start_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        start_background(
            ["no-such-program-pytest-release"],
            log=tmp_path / "log",
            cwd=tmp_path,
            environment=child_environment(),
        )
