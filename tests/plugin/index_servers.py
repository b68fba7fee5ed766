"""The local index servers (pypiserver) of a run of the release suite: those still running,
found by their command lines in /proc (Linux), the wheels uploaded to the session's
rehearsal index, what the run says it installed from there; and an address where no
index answers."""

from __future__ import annotations

import hashlib
import socket
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.plugin.baseline import REHEARSAL_PACKAGE_CASES
from tests.plugin.gate_runs import GateRun, GateRunner
from tests.plugin.repos import VERSION

PROC = Path("/proc")
# The servers are found by their command lines, which /proc lists (Linux).
lists_processes = pytest.mark.skipif(
    not (PROC / "self" / "cmdline").is_file(), reason="finds processes in /proc"
)
INSTALLED_DIST = REHEARSAL_PACKAGE_CASES[0]
INSTALLED_PROPERTIES = ("rehearsal_dist", "rehearsal_version", "rehearsal_wheel_sha256")


def index_servers(below: Path) -> list[int]:
    """The processes running pypiserver whose command line names a path below ``below``
    (the packages folder each server is given), by pid."""
    found: list[int] = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:  # it ended while we looked, or it is not ours to read
            continue
        # The launcher runs pypiserver from a `python -c` script that names it.
        runs_pypiserver = any("pypiserver" in word for word in words)
        if runs_pypiserver and any(word.startswith(f"{below}/") for word in words):
            found.append(int(entry.name))
    return found


def assert_no_server_left(run_gates: GateRunner) -> None:
    """No pypiserver of the session below the run's folder is still running."""
    left = index_servers(run_gates.pytester.path)
    assert not left, f"index servers of the finished session still run: pids {left}"


@contextmanager
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections while the block runs: bound but not
    listening, so that no other test (another xdist worker's, say) starts a server on it
    meanwhile, as it could on a port only found free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        port: int = held.getsockname()[1]
        yield port


def case_properties(run: GateRun, name: str) -> dict[str, str]:
    """The JUnit properties of the test case ``name``."""
    for element in ElementTree.parse(run.junit).getroot().iter("testcase"):
        if element.attrib["name"] == name:
            return {p.attrib["name"]: p.attrib["value"] for p in element.iter("property")}
    raise AssertionError(f"no test case {name} in {run.junit}")


def uploaded_wheel(run_gates: GateRunner, package: str) -> Path:
    """The wheel of ``package`` in the packages folder of the session's rehearsal index."""
    name = f"{package.replace('-', '_')}-{VERSION}-py3-none-any.whl"
    found = sorted(run_gates.pytester.path.glob(f"**/rehearsal-index[0-9]*/packages/{name}"))
    assert len(found) == 1, f"not one uploaded {name}: {found}"
    return found[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_shows_what_was_installed(run: GateRun, run_gates: GateRunner, package: str) -> None:
    """The installed-dist case of ``package`` records in JUnit, and the checklist shows,
    that the release version was installed, with the sha256 of the very wheel the
    rehearsal index holds."""
    digest = sha256(uploaded_wheel(run_gates, package))
    recorded = case_properties(run, f"{INSTALLED_DIST}[{package}]")
    assert {name: recorded.get(name) for name in INSTALLED_PROPERTIES} == {
        "rehearsal_dist": package,
        "rehearsal_version": VERSION,
        "rehearsal_wheel_sha256": digest,
    }
    shown = [line for line in run.output.splitlines() if digest in line]
    assert any(f"installed {package} {VERSION} " in line for line in shown), run.output
