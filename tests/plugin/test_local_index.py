"""The local index for real: pypiserver on 127.0.0.1, twine uploads, the simple API.

Wheels and sdists are written with zipfile and tarfile (twine and pypiserver accept them);
no network but loopback. The last test runs the fixtures in a pytest session of their own.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_release.index.local import LocalIndex, free_port, start_local_index
from pytest_release.index.names import IndexFile, upload_credentials
from pytest_release.index.package_index import IndexStartError
from pytest_release.index.remote import RemoteIndex
from tests.plugin.gate_runs import GateRunner
from tests.plugin.repos import ReleaseRepo
from tests.unit.test_dists import metadata, write_sdist, write_wheel
from tests.unit.test_process import ended, read_line

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.slow
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script")
WRONG_PASSWORD = "wrong-Pa55word-never-shown"


@pytest.fixture
def index(tmp_path: Path) -> Iterator[LocalIndex]:
    started = start_local_index(tmp_path / "index")
    yield started
    started.stop()


def wheel(folder: Path, name: str, version: str) -> Path:
    key = name.replace("-", "_")
    path = folder / f"{key}-{version}-py3-none-any.whl"
    return write_wheel(path, [f"{key}/__init__.py"], metadata(name, version))


def sdist(folder: Path, name: str, version: str) -> Path:
    top = f"{name.replace('-', '_')}-{version}"
    return write_sdist(folder / f"{top}.tar.gz", [f"{top}/setup.py"], metadata(name, version))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gone(pid: int) -> bool:
    """Whether no process ``pid`` and no process of its group exists any more."""
    for send in (os.kill, os.killpg) if sys.platform != "win32" else (os.kill,):
        try:
            send(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:  # a process of someone else's took the number
            continue
        return False
    return True


def status(url: str) -> int | None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def test_uploads_are_listed_with_their_sha256(index: LocalIndex, tmp_path: Path) -> None:
    files = [wheel(tmp_path, "demo-pkg", "1.0.0"), wheel(tmp_path, "demo-pkg", "1.0.1")]

    result = index.upload(files)

    assert result.ok, result.output
    listed = [IndexFile(file.name, sha256(file)) for file in files]
    assert index.files("demo-pkg") == listed
    assert index.files("Demo_Pkg") == listed  # any spelling of the name
    assert sorted(path.name for path in index.packages_dir.iterdir()) == [f.name for f in files]


def test_a_project_it_does_not_hold_is_empty_not_pypi_s(index: LocalIndex) -> None:
    assert index.files("pip") == []
    assert status(f"{index.simple_url}pip/") == 404  # no redirect to PyPI


def test_files_go_up_in_the_order_given(index: LocalIndex, tmp_path: Path) -> None:
    files = [
        sdist(tmp_path, "order-core", "1.0"),
        wheel(tmp_path, "order-core", "1.0"),
        sdist(tmp_path, "order-meta", "1.0"),
        wheel(tmp_path, "order-meta", "1.0"),
    ]

    result = index.upload(files)

    assert result.ok, result.output
    uploading = [line for line in result.output.splitlines() if line.startswith("Uploading ")]
    assert [line for line in uploading if "distributions" not in line] == [
        f"Uploading {file.name}" for file in files
    ]
    assert {f.filename for f in index.files("order-core") + index.files("order-meta")} == {
        file.name for file in files
    }


def test_downloads_need_no_credentials_and_uploads_do(index: LocalIndex, tmp_path: Path) -> None:
    assert index.upload([wheel(tmp_path, "open-pkg", "1.0")]).ok
    assert status(f"{index.simple_url}open-pkg/") == 200
    assert status(index.simple_url) == 200


@pytest.mark.parametrize("how", ["environment", "pypirc"])
def test_an_upload_with_wrong_credentials_fails_without_showing_them(
    index: LocalIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    home = Path(os.environ["HOME"])  # the test's own (conftest), no TWINE_* variables
    if how == "environment":
        monkeypatch.setenv("TWINE_USERNAME", "release")
        monkeypatch.setenv("TWINE_PASSWORD", WRONG_PASSWORD)
        # As a session gives them: to this index's twine alone, picked from the environment.
        credentials = upload_credentials("testpypi", index.upload_url, os.environ)
        remote = RemoteIndex(
            "elsewhere", index.simple_url, index.upload_url, credentials=credentials
        )
    else:
        (home / ".pypirc").write_text(
            "[distutils]\nindex-servers = elsewhere\n\n[elsewhere]\n"
            f"repository = {index.upload_url}\nusername = release\npassword = {WRONG_PASSWORD}\n",
            encoding="utf-8",
        )
        remote = RemoteIndex(
            "elsewhere", index.simple_url, index.upload_url, "elsewhere", [WRONG_PASSWORD]
        )
    file = wheel(tmp_path, "guarded-pkg", "1.0")

    result = remote.upload([file])

    assert not result.ok
    assert result.returncode == 1
    assert "403 Forbidden" in result.output, result.output
    assert WRONG_PASSWORD not in result.output
    assert WRONG_PASSWORD not in result.describe()
    assert index.files("guarded-pkg") == []


def test_stop_ends_the_server_and_may_be_called_again(tmp_path: Path) -> None:
    index = start_local_index(tmp_path / "index")
    assert index.running
    assert not gone(index.pid)

    index.stop()

    assert not index.running
    assert gone(index.pid)
    assert status(index.simple_url) is None
    index.stop()
    assert not index.running


# A session that starts a local index in the folder argv[2], says the server's pid and
# simple URL in the FIFO argv[1], and hangs until it is killed.
SESSION_WITH_AN_INDEX = """
import sys, time
from pathlib import Path
from pytest_release.index.local import start_local_index
index = start_local_index(Path(sys.argv[2]))
with open(sys.argv[1], "w") as fifo:
    fifo.write(f"{index.pid} {index.simple_url}\\n")
time.sleep(600)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="pidfds as Linux has them")
def test_the_server_ends_when_the_session_that_started_it_is_killed(tmp_path: Path) -> None:
    """SIGKILL (a CI runner's last resort) leaves the session no chance to stop its index:
    the index ends by itself, as soon as its session is gone."""
    fifo = tmp_path / "started"
    os.mkfifo(fifo)
    session = subprocess.Popen(
        [sys.executable, "-c", SESSION_WITH_AN_INDEX, str(fifo), str(tmp_path / "index")]
    )
    try:
        pid, simple_url = read_line(fifo).split()
        assert status(simple_url) == 200
    finally:
        session.kill()
        session.wait()

    assert ended(int(pid))
    assert status(simple_url) is None


def test_a_port_taken_before_the_server_binds_it_is_replaced(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        taken_port: int = taken.getsockname()[1]
        choices = iter([taken_port])

        index = start_local_index(
            tmp_path / "index", choose_port=lambda: next(choices, None) or free_port()
        )
        try:
            assert index.port != taken_port
            assert status(index.simple_url) == 200
            first_log = (tmp_path / "index" / f"server-{taken_port}.log").read_text()
            assert "Address already in use" in first_log or "10048" in first_log
        finally:
            index.stop()


def test_a_missing_python_is_a_start_error(tmp_path: Path) -> None:
    bogus = tmp_path / "no-such-python"
    with pytest.raises(IndexStartError, match="could not start") as raised:
        start_local_index(tmp_path / "index", python=bogus)
    assert str(bogus) in str(raised.value)


@posix_only
def test_a_server_that_exits_is_a_start_error_with_its_output(tmp_path: Path) -> None:
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\necho 'pypiserver: cannot serve today' >&2\nexit 3\n")
    python.chmod(0o755)

    with pytest.raises(IndexStartError) as raised:
        start_local_index(tmp_path / "index", python=python)

    message = str(raised.value)
    assert "the local index (pypiserver) did not start: it exited with code 3" in message
    assert "pypiserver: cannot serve today" in message


@posix_only
def test_a_server_that_never_answers_is_stopped_at_the_deadline(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    python = tmp_path / "python"
    python.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 300\n")
    python.chmod(0o755)
    started = time.monotonic()

    with pytest.raises(IndexStartError, match=r"did not answer at .* within 1 s"):
        start_local_index(tmp_path / "index", python=python, deadline=1.0)

    assert time.monotonic() - started < 60  # not the 300 s the server would sleep
    assert gone(int(pid_file.read_text()))


def test_a_packages_folder_that_cannot_be_made_is_a_start_error(tmp_path: Path) -> None:
    scratch = tmp_path / "index"
    scratch.mkdir()
    (scratch / "packages").write_text("a file where the folder goes")

    with pytest.raises(IndexStartError, match="the local index could not be set up"):
        start_local_index(scratch)


def test_the_fixtures_stop_their_servers_when_the_session_ends(pytester: pytest.Pytester) -> None:
    pids = pytester.path / "pids"
    pytester.makepyfile(
        f"""
        from pathlib import Path

        def served(index):
            Path({str(pids)!r}).open("a").write(f"{{index.pid}}\\n")
            assert index.files("anything") == []

        def test_the_indexes(rehearsal_index, testpypi_index, pypi_index):
            served(rehearsal_index)
            served(testpypi_index)
            assert testpypi_index.simple_url != rehearsal_index.simple_url
            assert pypi_index.simple_url == "https://pypi.org/simple/"

        def test_a_gate_fails(rehearsal_index):
            assert False, "a failed gate"
        """
    )

    result = pytester.runpytest_subprocess("--testpypi", "local", "-p", "no:randomly")

    result.assert_outcomes(passed=1, failed=1)
    served = [int(pid) for pid in pids.read_text().split()]
    assert len(set(served)) == 2
    assert all(gone(pid) for pid in served)


def test_a_local_index_that_cannot_start_fails_the_test_asking_for_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        from pytest_release.index import local as local_index

        start = local_index.start_local_index
        local_index.start_local_index = lambda scratch: start(scratch, python="/no/python")
        """
    )
    pytester.makepyfile("def test_needs_an_index(rehearsal_index):\n    pass\n")

    result = pytester.runpytest_subprocess("-p", "no:randomly")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the local index (pypiserver) could not start*"])
    assert "Traceback" not in result.stdout.str()
    assert "During handling" not in result.stdout.str()


def test_a_rehearsal_index_that_cannot_start_fails_the_rehearsal_alone(
    pytester: pytest.Pytester, release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """The rehearsal starts as soon as the target is read, ahead of its gate: an index that
    cannot start fails the rehearsal's cases with why, and no case of another gate."""
    pytester.makeconftest(
        """
        from pytest_release.index import local as local_index

        start = local_index.start_local_index
        local_index.start_local_index = lambda scratch: start(scratch, python="/no/python")
        """
    )

    run = run_gates(release_repo.root, "-m", "versions or rehearsal")

    outcomes = run.outcomes()
    rehearsal = {
        case: o for case, o in outcomes.items() if "rehearsal" in case or "installed" in case
    }
    versions = {case: o for case, o in outcomes.items() if case not in rehearsal}
    assert "test_upload_to_the_rehearsal_index[aetherflow-core]" in rehearsal
    assert set(rehearsal.values()) == {"failed"}, rehearsal
    assert "test_publish_order" in versions
    assert set(versions.values()) == {"passed"}, versions
    assert "the local index (pypiserver) could not start" in run.output
    assert "Traceback" not in run.output
