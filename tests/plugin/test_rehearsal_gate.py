"""Gate 7a, rehearsal, against real copies of the example: the built files uploaded to a real
local index (pypiserver on 127.0.0.1), installed from it with uv into a fresh venv, checked
to be the files uploaded, and smoke-tested from a folder outside the repo.

Each test applies one defect to ``release_repo``, commits and pushes it, runs the rehearsal
(with the gate that shows the contrast, where there is one) and asserts the cases that
changed against their baseline (all pass), the words of the failure (the package, what is
wrong, the fix), and that the session's index server did not outlive it. No network but
loopback and the package index the builds take their build backends from. The untouched
example's rehearsal (the wheels installed are those uploaded, no server left, a clean tree)
is asserted by test_publish's plain run of every gate."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from pytest_release.index.local import LocalIndex, start_local_index
from tests.plugin.baseline import (
    EXAMPLE_SMOKE,
    REHEARSAL_PACKAGE_CASES,
    REHEARSAL_PYTHON_SMOKE_CASE,
    REHEARSAL_SMOKE_CASE,
    assert_outcomes,
    assert_says,
)
from tests.plugin.defects import CONFIG, CORE, META, SCHEDULER, commit, pyproject, replace
from tests.plugin.gate_runs import GateRun, GateRunner
from tests.plugin.index_servers import (
    assert_no_server_left,
    assert_shows_what_was_installed,
    index_servers,
    lists_processes,
)
from tests.plugin.repos import ReleaseRepo

pytestmark = [pytest.mark.slow]

GATES = ("rehearsal",)
INSTALLED_DIST, IMPORT, HELP = REHEARSAL_PACKAGE_CASES
PYTHON_SMOKE, SMOKE = REHEARSAL_PYTHON_SMOKE_CASE, REHEARSAL_SMOKE_CASE
INSTALLED = "installed from the rehearsal index"
SMOKE_CASES = tuple(f"{SMOKE}[{command}]" for command in EXAMPLE_SMOKE)
SCHEDULER_SMOKE = next(command for command in EXAMPLE_SMOKE if command.startswith(SCHEDULER))


def case(test: str, parameter: str) -> str:
    """A case as JUnit names it: the test and its parameter (a dist name or a command)."""
    return f"{test}[{parameter}]"


def each(outcome: str, *cases: str) -> dict[str, str]:
    """The same outcome for each of ``cases``."""
    return dict.fromkeys(cases, outcome)


def run_rehearsal(run_gates: GateRunner, repo: ReleaseRepo, *gates: str) -> GateRun:
    """The rehearsal gate, and ``gates`` beside it: a gate that passes where it fails."""
    return run_gates(repo.root, "-m", " or ".join((*gates, *GATES)))


def package_file(package: str, relative: str) -> str:
    return f"packages/{package}/{relative}"


CORE_SOURCE = package_file(CORE, "src/aetherflow/core")
CORE_PYPROJECT, SCHEDULER_PYPROJECT = pyproject(CORE), pyproject(SCHEDULER)
SCHEDULER_CLI = package_file(SCHEDULER, "src/aetherflow/scheduler/cli.py")


# -- What the editable install hides --


# A subpackage of the core that the core imports, left out of the wheel by the find config.
PLUGINS_INIT = (
    '"""Where the core looks for plugins."""\n\nENTRY_POINT_GROUP = "aetherflow.plugins"\n'
)
FIND_INCLUDE = 'include = ["aetherflow.core*"]'
FIND_EXCLUDE = f'{FIND_INCLUDE}\nexclude = ["aetherflow.core.plugins*"]'
MISSING_MODULE = "ModuleNotFoundError: No module named 'aetherflow.core.plugins'"
NOT_IN_THE_WHEEL = (
    f"fix: aetherflow.core.plugins is in the source tree of {CORE} "
    f"({CORE_SOURCE}/plugins) but not in its wheel: add it to the wheel (see the build "
    f"backend's package list and excludes in {CORE_PYPROJECT}), then build again"
)


def test_a_wheel_without_a_subpackage_fails_though_the_editable_install_imports_it(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    release_repo.write(f"{CORE_SOURCE}/plugins/__init__.py", PLUGINS_INIT)
    replace(
        release_repo,
        f"{CORE_SOURCE}/__init__.py",
        "__version__",
        "from aetherflow.core.plugins import ENTRY_POINT_GROUP as ENTRY_POINT_GROUP\n\n__version__",
    )
    replace(release_repo, CORE_PYPROJECT, FIND_INCLUDE, FIND_EXCLUDE)
    commit(release_repo, "Give the core a plugins subpackage, excluded from its wheel")

    run = run_rehearsal(run_gates, release_repo, "editable")

    # The editable gate passes: its venv imports the subpackage from the source tree. Every
    # case of the rehearsal that imports the core fails; the scheduler's own package does
    # not import it, and the installed files are the uploaded ones.
    failed = (
        case(IMPORT, CORE),
        case(IMPORT, META),
        case(HELP, SCHEDULER),
        case(HELP, META),
        PYTHON_SMOKE,
        *SMOKE_CASES,
    )
    assert_outcomes(
        run, each("failed", *failed), gates=("editable", *GATES), target_traceback_ok=True
    )
    assert_says(
        run,
        case(IMPORT, CORE),
        f"{CORE_PYPROJECT}: `import aetherflow.core` fails in a fresh venv with {CORE} "
        f"{INSTALLED}:",
        # The frame is the installed file's, not the source tree's.
        '/site-packages/aetherflow/core/__init__.py", line 7, in <module>\n'
        "        from aetherflow.core.plugins import ENTRY_POINT_GROUP",
        MISSING_MODULE,
        NOT_IN_THE_WHEEL,
    )
    for name in failed:
        assert_says(run, name, MISSING_MODULE, NOT_IN_THE_WHEEL)
    assert_no_server_left(run_gates)


# The scheduler's description, read from a text file beside its CLI, which a wheel exclude
# meant for notes keeps out of the wheel.
DESCRIPTION_FILE = "src/aetherflow/scheduler/description.txt"
DESCRIPTION = "Work out the order in which the steps of an Aetherflow flow run.\n"
READ_DESCRIPTION = (
    "    parser = argparse.ArgumentParser(\n"
    '        prog="aetherflow-scheduler",\n'
    '        description=(Path(__file__).parent / "description.txt").read_text("utf-8"),\n'
    "    )\n"
)
WHEEL_TARGET = "[tool.hatch.build.targets.wheel]\n"
EXCLUDE_TEXT = f'{WHEEL_TARGET}exclude = ["*.txt"]  # no notes in the wheel\n'


def test_a_console_script_that_needs_a_file_the_wheel_lacks_fails_installed_help(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    cli = (release_repo.root / SCHEDULER_CLI).read_text(encoding="utf-8")
    parser = re.search(r"(?ms)^    parser = argparse\.ArgumentParser\(\n.*?^    \)\n", cli)
    assert parser is not None, f"no ArgumentParser(...) in {SCHEDULER_CLI}"
    replace(release_repo, SCHEDULER_CLI, parser[0], READ_DESCRIPTION)
    replace(release_repo, SCHEDULER_CLI, "import sys\n", "import sys\nfrom pathlib import Path\n")
    release_repo.write(package_file(SCHEDULER, DESCRIPTION_FILE), DESCRIPTION)
    replace(release_repo, SCHEDULER_PYPROJECT, WHEEL_TARGET, EXCLUDE_TEXT)
    commit(release_repo, "Read the scheduler's description from a file")

    run = run_rehearsal(run_gates, release_repo, "cli")

    # The cli gate passes: the editable install reads the file from the source tree. The
    # installed command fails on --help, and on the smoke command that runs it.
    failed = (case(HELP, SCHEDULER), case(SMOKE, SCHEDULER_SMOKE))
    assert_outcomes(run, each("failed", *failed), gates=("cli", *GATES), target_traceback_ok=True)
    assert_says(
        run,
        case(HELP, SCHEDULER),
        f"{SCHEDULER_PYPROJECT} [project.scripts]: `aetherflow-scheduler --help` ended with "
        "a Python traceback (entry point aetherflow.scheduler.cli:main)",
        "FileNotFoundError: [Errno 2] No such file or directory",
        "/site-packages/aetherflow/scheduler/description.txt'",  # read from the install
        "fix: make `aetherflow-scheduler --help` print its usage and exit 0",
    )
    assert_says(
        run,
        case(SMOKE, SCHEDULER_SMOKE),
        f"`{SCHEDULER_SMOKE}` ended with a Python traceback with the release {INSTALLED}",
        "description.txt",
    )
    assert_no_server_left(run_gates)


# -- Dependency confusion --


def write_wheel(folder: Path, name: str, version: str, files: Mapping[str, str]) -> Path:
    """An installable pure-Python wheel: ``files`` (path -> text), METADATA, WHEEL, RECORD."""
    key = name.replace("-", "_")
    info = f"{key}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    wheel = "Wheel-Version: 1.0\nGenerator: the rehearsal tests\nRoot-Is-Purelib: true\n"
    members = {
        **files,
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": wheel + "Tag: py3-none-any\n",
    }
    record = []
    for member, text in members.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{member},sha256={digest},{len(data)}\n")
    members[f"{info}/RECORD"] = "".join(record) + f"{info}/RECORD,,\n"
    path = folder / f"{key}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


# A third-party requirement of the core that only the user's normal index offers: the
# install must use that index, which also serves higher versions of the core: one far
# above, and one within the range the packages require each other with, which a resolver
# that takes the best match of all indexes installs (uv's unsafe-best-match does).
THIRD_PARTY = "rehearsal-third-party-dep"
TRAP_VERSIONS = ("0.2.99", "9.9.9")


@pytest.fixture
def trap_index(tmp_path: Path) -> Iterator[LocalIndex]:
    """The user's normal index: a second local server, holding the trap and the
    third-party requirement."""
    index = start_local_index(tmp_path / "trap-index")
    try:
        wheels = tmp_path / "trap-wheels"
        wheels.mkdir()
        files = [write_wheel(wheels, THIRD_PARTY, "1.0", {"rehearsal_third_party_dep.py": ""})]
        for version in TRAP_VERSIONS:
            trap = f'__version__ = "{version}"\n'
            files.append(write_wheel(wheels, CORE, version, {"aetherflow/core/__init__.py": trap}))
        uploaded = index.upload(files)
        assert uploaded.ok, uploaded.output
        yield index
    finally:
        index.stop()


# How the user adds the index to the default one, in pip's spelling and in uv's: the
# setting under which pip's --extra-index-url lets the higher version win. (Made the
# default index, the trap would have to serve the builds' backends too.)
NORMAL_INDEX_VARIABLES = ("PIP_EXTRA_INDEX_URL", "UV_INDEX")
INDEX_SETTINGS = (
    *NORMAL_INDEX_VARIABLES,
    "PIP_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_FIND_LINKS",
    "UV_INDEX_STRATEGY",
)


@lists_processes
@pytest.mark.parametrize("variable", NORMAL_INDEX_VARIABLES)
def test_a_higher_version_of_an_internal_package_on_the_normal_index_does_not_win(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    trap_index: LocalIndex,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    variable: str,
) -> None:
    for name in INDEX_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, trap_index.simple_url)
    replace(release_repo, CORE_PYPROJECT, "dependencies = []", f'dependencies = ["{THIRD_PARTY}"]')
    commit(release_repo, f"The core requires {THIRD_PARTY}")

    run = run_rehearsal(run_gates, release_repo)

    # Installed: the third-party requirement from the normal index (no other has it), and
    # the core at the release version, the very wheel uploaded to the rehearsal index.
    assert_outcomes(run, gates=GATES)
    assert_shows_what_was_installed(run, run_gates, CORE)
    assert {file.filename for file in trap_index.files(CORE)} == {
        f"aetherflow_core-{version}-py3-none-any.whl" for version in TRAP_VERSIONS
    }
    # The session stopped its own index server, and only its own.
    assert_no_server_left(run_gates)
    assert index_servers(tmp_path / "trap-index") == [trap_index.pid]


# -- The server after a failure --


@lists_processes
def test_the_index_server_is_stopped_after_a_session_in_which_the_rehearsal_failed(
    release_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    statement = "import aetherflow.core.api as api; assert 'no-such-step' in api.list_steps()"
    config = (release_repo.root / CONFIG).read_text(encoding="utf-8")
    line = re.search(r"(?m)^python-smoke = .*$", config)
    assert line is not None, f"no python-smoke in {CONFIG}"
    replace(release_repo, CONFIG, line[0], f"python-smoke = {json.dumps([statement])}")
    commit(release_repo, "A python-smoke statement that fails")

    run = run_rehearsal(run_gates, release_repo)

    assert_outcomes(run, {PYTHON_SMOKE: "failed"}, gates=GATES, target_traceback_ok=True)
    assert_says(
        run,
        PYTHON_SMOKE,
        f"[tool.pytest-release] python-smoke in {release_repo.root / CONFIG}: "
        f"`python -c {statement!r}` ended with a Python traceback with the release {INSTALLED}",
        "AssertionError",
        "fix: make the statement pass against the installed packages",
    )
    assert_no_server_left(run_gates)
