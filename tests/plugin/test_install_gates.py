"""Gates 3 to 5 (tests, editable, cli) against real copies of the example: one real editable
venv per run, the target's own suite, its console scripts and its smoke commands.

Each test applies one defect to ``release_repo``, commits it, runs the three gates and
asserts the cases that changed against their baseline (all pass), the words of the failure
(what, where, fix), and that no traceback but the target's own reaches the user. The
untouched example through these gates (every case passes, the target's tree is left as it
was, ignored files included) is asserted by test_publish's plain run of every gate."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pytest

from tests.plugin.baseline import (
    CLI_PACKAGE_CASES,
    CLI_SMOKE_CASE,
    EDITABLE_PACKAGE_CASES,
    EXAMPLE_SMOKE,
    TESTS_CASES,
    assert_outcomes,
    assert_says,
)
from tests.plugin.defects import CONFIG, CORE, META, SCHEDULER, pyproject, replace
from tests.plugin.gate_runs import GateRun, GateRunner
from tests.plugin.repos import VERSION, ReleaseRepo

pytestmark = [pytest.mark.slow]

GATES = ("tests", "editable", "cli")
(SUITE_GREEN,) = TESTS_CASES
INSTALL, IMPORT = EDITABLE_PACKAGE_CASES
(HELP,) = CLI_PACKAGE_CASES
SMOKE = CLI_SMOKE_CASE


def case(test: str, parameter: str) -> str:
    """A case as JUnit names it: the test and its parameter (a dist name or a command)."""
    return f"{test}[{parameter}]"


def each(outcome: str, *cases: str) -> dict[str, str]:
    """The same outcome for each of ``cases``."""
    return dict.fromkeys(cases, outcome)


def run_install_gates(run_gates: GateRunner, repo: ReleaseRepo) -> GateRun:
    return run_gates(repo.root, "-m", " or ".join(GATES))


# -- Edits to the copy of the example --


def set_setting(repo: ReleaseRepo, key: str, value: str | float | list[str]) -> None:
    """Set a key of [tool.pytest-release]: its line replaced, or a line added under the
    table's header (a JSON string, number or list of strings is TOML too)."""
    path = repo.root / CONFIG
    text = path.read_text(encoding="utf-8")
    line = f"{key} = {json.dumps(value)}"
    edited, count = re.subn(rf"(?m)^{re.escape(key)} = .*$", lambda _: line, text)
    if not count:
        assert "[tool.pytest-release]\n" in text, f"no [tool.pytest-release] in {CONFIG}"
        edited = text.replace("[tool.pytest-release]\n", f"[tool.pytest-release]\n{line}\n")
    path.write_text(edited, encoding="utf-8")


def package_file(package: str, relative: str) -> str:
    return f"packages/{package}/{relative}"


CORE_INIT = package_file(CORE, "src/aetherflow/core/__init__.py")
SCHEDULER_CLI = package_file(SCHEDULER, "src/aetherflow/scheduler/cli.py")
CORE_PYPROJECT, SCHEDULER_PYPROJECT, META_PYPROJECT = map(pyproject, (CORE, SCHEDULER, META))
SMOKE_CASES = tuple(case(SMOKE, command) for command in EXAMPLE_SMOKE)
SCHEDULER_SMOKE = next(command for command in EXAMPLE_SMOKE if command.startswith(SCHEDULER))


# -- Gate 3, tests --


# A test of the target's own that holds only in a venv of its own (not the gates'
# interpreter) with aetherflow-core installed editable: the gates' environment has neither.
WHERE_IT_RUNS = f"""\
import importlib.metadata
import json
import sys


def test_runs_in_a_fresh_venv_with_core_installed_editable() -> None:
    assert sys.prefix != {sys.prefix!r}
    # The suite's conftest puts the src folders first on sys.path: an egg-info there
    # would be found too, without a direct_url.json.
    installs = importlib.metadata.distributions(name="{CORE}")
    urls = [json.loads(dist.read_text("direct_url.json") or "{{}}") for dist in installs]
    assert {{"editable": True}} in [url.get("dir_info") for url in urls]
"""
WHERE_IT_RUNS_FILE = "tests/test_where_it_runs.py"

# A project tested with `hatch test`: its suite needs hatch's default test dependencies and
# the environment's extra ones, and runs without pytest-randomly's shuffle, as hatch runs it.
HATCH_TOML = '[envs.hatch-test]\nextra-dependencies = ["iniconfig==2.0.0"]\n'
HATCH_ENV_TEST = """\
import importlib.metadata

import pytest
import pytest_mock


def test_runs_with_hatch_s_test_environment(request: pytest.FixtureRequest) -> None:
    assert pytest_mock.MockerFixture
    assert importlib.metadata.version("iniconfig") == "2.0.0"
    assert importlib.metadata.version("pytest-randomly")
    assert not request.config.pluginmanager.has_plugin("randomly")
"""

# (files written into the target, [tool.pytest-release] settings, the suite's outcome, the
# words of its failure)
TARGET_SUITES = [
    pytest.param(
        {"tests/test_release_blocker.py": "def test_release_blocker() -> None:\n    assert 0\n"},
        {},
        "failed",
        (
            "the test suite is not green: 1 failed",
            "FAILED tests/test_release_blocker.py::test_release_blocker",
            "fix the failures above",
            "`pytest -q tests` reproduces them",
        ),
        id="a-failing-test",
    ),
    pytest.param(
        {"empty_dir/.gitkeep": ""},
        {"test-command": "pytest -q empty_dir"},
        "failed",
        (
            "`pytest -q empty_dir` ran no test (pytest's exit code 5)",
            "no tests ran",
            "point test-command at the suite",
        ),
        id="no-test-collected",
    ),
    pytest.param(
        {WHERE_IT_RUNS_FILE: WHERE_IT_RUNS},
        {"test-env": "current"},
        "failed",
        ("1 failed", "test_runs_in_a_fresh_venv_with_core_installed_editable"),
        id="test-env-current-runs-in-the-gates-environment",
    ),
    pytest.param(
        {WHERE_IT_RUNS_FILE: WHERE_IT_RUNS},
        {"test-env": "fresh"},
        "passed",
        (),
        id="test-env-fresh-runs-in-a-venv-with-the-packages-editable",
    ),
    pytest.param(
        {"hatch.toml": HATCH_TOML, "tests/test_hatch_env.py": HATCH_ENV_TEST},
        {"test-env": "fresh"},
        "passed",
        (),
        id="test-env-fresh-installs-the-hatch-test-environment",
    ),
]


@pytest.mark.parametrize(("files", "settings", "outcome", "words"), TARGET_SUITES)
def test_the_tests_gate_runs_the_target_suite(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    files: Mapping[str, str],
    settings: Mapping[str, str],
    outcome: str,
    words: Sequence[str],
) -> None:
    for relative, text in files.items():
        release_repo.write(relative, text)
    for key, value in settings.items():
        set_setting(release_repo, key, value)
    release_repo.commit_all("Change the target's suite")

    run = run_install_gates(run_gates, release_repo)

    assert_outcomes(run, {SUITE_GREEN: outcome}, gates=GATES)
    if outcome == "failed":
        assert_says(run, SUITE_GREEN, *words, str(release_repo.root))


# Two packages whose test requirements files pin one requirement apart, as packages that
# each run their tests in a tox env of their own pin them; each package's suite holds only
# with its own pin installed.
PINNED = {CORE: "2.0.0", SCHEDULER: "2.1.0"}


def pin_test(version: str) -> str:
    return (
        "import importlib.metadata\n\n\ndef test_its_own_pin() -> None:\n"
        f'    assert importlib.metadata.version("iniconfig") == "{version}"\n'
    )


PIN_SUITES = [
    pytest.param(
        "fresh",
        {},
        "failed",
        (
            f"{package_file(CORE, 'test-requirements.txt')}, "
            f"{package_file(SCHEDULER, 'test-requirements.txt')}: installing it into the "
            "fresh test venv failed",
            "iniconfig==2.0.0 and iniconfig==2.1.0",
            'set test-env = "per-package"',
        ),
        (),
        id="fresh-resolves-the-pins-together",
    ),
    pytest.param("per-package", {}, "passed", (), (), id="per-package-gives-each-its-own"),
    pytest.param(
        "per-package",
        {package_file(CORE, "tests/test_pin.py"): pin_test("9.9.9")},
        "failed",
        (
            f"{CORE} (packages/{CORE}): ",
            "the test suite is not green: 1 failed",
            f"`pytest -q tests` from packages/{CORE} reproduces them",
        ),
        (SCHEDULER,),  # its suite ran too, and is green
        id="per-package-names-the-red-package",
    ),
    pytest.param(
        "per-package",
        {package_file(SCHEDULER, "test-requirements.txt"): "iniconfig==2.1.0\niniconfig<2\n"},
        "failed",
        (
            f"{SCHEDULER} (packages/{SCHEDULER}): installing its test requirements "
            f"({package_file(SCHEDULER, 'test-requirements.txt')}) into its own test venv",
            "make its test requirements agree",
        ),
        (CORE,),
        id="per-package-names-the-package-whose-pins-conflict",
    ),
]


@pytest.mark.parametrize(("test_env", "edits", "outcome", "words", "not_named"), PIN_SUITES)
def test_packages_that_pin_their_test_requirements_apart(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    test_env: str,
    edits: Mapping[str, str],
    outcome: str,
    words: Sequence[str],
    not_named: Sequence[str],
) -> None:
    for package, version in PINNED.items():
        release_repo.write(
            package_file(package, "test-requirements.txt"), f"iniconfig=={version}\n"
        )
        release_repo.write(package_file(package, "tests/test_pin.py"), pin_test(version))
    for relative, text in edits.items():
        release_repo.write(relative, text)
    set_setting(release_repo, "test-env", test_env)
    release_repo.commit_all("Pin each package's test requirements apart")

    run = run_gates(release_repo.root, "-m", "tests")

    assert_outcomes(run, {SUITE_GREEN: outcome}, gates=("tests",))
    if outcome == "failed":
        assert_says(run, SUITE_GREEN, *words)
        message = run.message(SUITE_GREEN)
        assert not [name for name in not_named if f"{name} (packages/" in message], message


# -- Gates 4 and 5, editable and cli: defects in the packages --


@dataclass(frozen=True)
class PackageDefect:
    """One edit to a file of a package, the cases it changes, and the words each of their
    messages holds (a case's outcome and message are both asserted)."""

    path: str
    old: str
    new: str
    changed: Mapping[str, str]
    says: Mapping[str, Sequence[str]]


IMPORT_ERROR = "ModuleNotFoundError: No module named 'not_a_real_module_xyz'"
HELP_ERROR = "RuntimeError: the scheduler is broken"

PACKAGE_DEFECTS = [
    # The scheduler does not install, so nothing of it can be imported or run: its import
    # and --help cases are skipped, not failed again. The meta package requires the
    # scheduler, which an install takes from the tree alone (never from an index): it is
    # not tried, and its cases are skipped, saying why. Every smoke command runs a console
    # script of one of those two, so none can be checked: skipped, as --help is, never
    # passed as a clean "command not found". The suite runs from the src folders: green.
    pytest.param(
        PackageDefect(
            SCHEDULER_PYPROJECT,
            'dependencies = ["aetherflow-core>=0.2,<0.3"]',
            'dependencies = ["aetherflow-core>=0.2,<0.3", '
            '"missing-dep @ file:///nonexistent/missing-dep-1.0.tar.gz"]',
            changed=each("failed", case(INSTALL, SCHEDULER))
            | each("skipped", *(case(test, SCHEDULER) for test in (IMPORT, HELP)))
            | each("skipped", *(case(test, META) for test in (INSTALL, IMPORT, HELP)))
            | each("skipped", *SMOKE_CASES),
            says={
                case(INSTALL, SCHEDULER): (
                    f"`pip install -e` of {SCHEDULER} failed",
                    "file:///nonexistent/missing-dep-1.0.tar.gz",
                    SCHEDULER_PYPROJECT,
                    "fix what the installer names above",
                ),
                case(INSTALL, META): (
                    f"not checked: not installed: it requires {SCHEDULER}, whose install failed",
                ),
            }
            | dict.fromkeys(
                (case(test, SCHEDULER) for test in (IMPORT, HELP)),
                ("not checked: the editable install failed",),
            )
            | dict.fromkeys((case(test, META) for test in (IMPORT, HELP)), ("not checked",))
            | dict.fromkeys(SMOKE_CASES, ("not checked: an editable install failed",)),
        ),
        id="install-fails",
    ),
    # Every other package imports aetherflow.core, so the error reaches all that runs the
    # target's code: the suite, the meta package's import, both console scripts and every
    # smoke command, each quoting the same error. aetherflow.scheduler alone imports
    # nothing of core and stays importable.
    pytest.param(
        PackageDefect(
            CORE_INIT,
            "__version__",
            "import not_a_real_module_xyz\n\n__version__",
            changed=each(
                "failed",
                SUITE_GREEN,
                *(case(IMPORT, package) for package in (CORE, META)),
                *(case(HELP, package) for package in (SCHEDULER, META)),
                *SMOKE_CASES,
            ),
            says={
                case(IMPORT, CORE): (
                    f"`import aetherflow.core` fails in a fresh venv with {CORE} installed "
                    "editable",
                    # The target's frames alone, indented under the line that names them.
                    'editable:\n    Traceback (most recent call last):\n      File "',
                    f'{CORE_INIT}", line ',
                    f"        import not_a_real_module_xyz\n    {IMPORT_ERROR}",
                    CORE_PYPROJECT,
                    "fix the import error",
                ),
                case(IMPORT, META): ("`import aetherflow.cli` fails", IMPORT_ERROR, META_PYPROJECT),
                SUITE_GREEN: (IMPORT_ERROR,),
            },
        ),
        id="import-error",
    ),
    pytest.param(
        PackageDefect(
            CORE_INIT,
            f'__version__ = "{VERSION}"',
            '__version__ = "0.1.9"',
            changed=each("failed", case(IMPORT, CORE)),
            says={
                case(IMPORT, CORE): (
                    f"aetherflow.core.__version__ is '0.1.9', but the package version is "
                    f"'{VERSION}'",
                    CORE_PYPROJECT,
                    f"set __version__ in aetherflow.core to '{VERSION}'",
                    f'importlib.metadata.version("{CORE}")',
                )
            },
        ),
        id="version-mismatch",
    ),
    # The same main() serves the suite's tests of the scheduler's command and the
    # scheduler's smoke command: both fail too, with the same error.
    pytest.param(
        PackageDefect(
            SCHEDULER_CLI,
            "    parser = argparse.ArgumentParser(",
            '    raise RuntimeError("the scheduler is broken")\n'
            "    parser = argparse.ArgumentParser(",
            changed=each(
                "failed", SUITE_GREEN, case(HELP, SCHEDULER), case(SMOKE, SCHEDULER_SMOKE)
            ),
            says={
                case(HELP, SCHEDULER): (
                    f"`{SCHEDULER} --help` ended with a Python traceback",
                    "(entry point aetherflow.scheduler.cli:main)",
                    "Traceback (most recent call last):",
                    HELP_ERROR,
                    f"{SCHEDULER_PYPROJECT} [project.scripts]",
                    f"make `{SCHEDULER} --help` print its usage and exit 0",
                ),
                case(SMOKE, SCHEDULER_SMOKE): ("ended with a Python traceback", HELP_ERROR),
                SUITE_GREEN: ("4 failed", HELP_ERROR),
            },
        ),
        id="help-raises",
    ),
]


@pytest.mark.parametrize("defect", PACKAGE_DEFECTS)
def test_a_defect_in_a_package_fails_the_cases_that_meet_it(
    release_repo: ReleaseRepo, run_gates: GateRunner, defect: PackageDefect
) -> None:
    replace(release_repo, defect.path, defect.old, defect.new)
    release_repo.commit_all(f"A defect in {defect.path}")

    run = run_install_gates(run_gates, release_repo)

    assert_outcomes(run, defect.changed, gates=GATES, target_traceback_ok=True)
    for name, words in defect.says.items():
        assert_says(run, name, *words)
    # An import that raises quotes the target's frames only, each a file of the copy of the
    # example: none of the probe's, importlib's or the installer's.
    for name in (name for name in defect.changed if name.startswith(f"{IMPORT}[")):
        message = run.message(name)
        if "Traceback" in message:
            frames = re.findall(r'^ {6}File "([^"]+)", line \d+', message, re.MULTILINE)
            outside = [frame for frame in frames if not frame.startswith(f"{release_repo.root}/")]
            assert frames, message
            assert not outside, f"{name} quotes frames outside the target:\n{message}"


# -- Gate 5, cli: how a smoke command ends --


@dataclass(frozen=True)
class SmokeEnding:
    """A smoke command, its case's outcome, and the words of its failure."""

    command: str
    outcome: str
    words: Sequence[str] = ()


# Every smoke command runs from the repo root with the editable venv's bin/ first on PATH:
# `python` is the venv's. Each list is the commands one session adds to the example's own
# (several in one session: they end independently, each its own case), with the settings of
# that session: a hang needs a short smoke-timeout, which every command of its session has.
SMOKE_ENDINGS = [
    pytest.param(
        [
            SmokeEnding("aetherflow validate missing.yaml", "passed"),
            SmokeEnding(
                "python -c \"raise RuntimeError('smoke went wrong')\"",
                "failed",
                ("ended with a Python traceback", "RuntimeError: smoke went wrong"),
            ),
            SmokeEnding(
                'python -c "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"',
                "failed",
                ("was killed by SIGKILL",),
            ),
            SmokeEnding(
                "aetherflw validate demo/flow.yaml",  # a typo: no such program anywhere
                "failed",
                ("could not start: there is no program 'aetherflw'",),
            ),
        ],
        {},
        id="clean-error-passes-traceback-crash-missing-program-fail",
    ),
    pytest.param(
        [
            SmokeEnding(
                'python -c "import time; time.sleep(600)"',
                "failed",
                ("did not finish within 1 s",),
            )
        ],
        {"smoke-timeout": 1},
        id="hang-fails",
    ),
]


@pytest.mark.parametrize(("endings", "settings"), SMOKE_ENDINGS)
def test_a_smoke_command_passes_only_when_it_ends_cleanly(
    release_repo: ReleaseRepo,
    run_gates: GateRunner,
    endings: Sequence[SmokeEnding],
    settings: Mapping[str, float],
) -> None:
    smoke = [*EXAMPLE_SMOKE, *(ending.command for ending in endings)]
    set_setting(release_repo, "smoke", smoke)
    for key, value in settings.items():
        set_setting(release_repo, key, value)
    release_repo.commit_all("More smoke commands")

    run = run_install_gates(run_gates, release_repo)

    # The new commands' cases are ones the example's baseline does not hold.
    extra = {case(SMOKE, ending.command): ending.outcome for ending in endings}
    assert_outcomes(run, gates=GATES, extra=extra, target_traceback_ok=True)
    for ending in endings:
        if ending.outcome == "failed":
            assert_says(
                run,
                case(SMOKE, ending.command),
                f"`{ending.command}` ",
                *ending.words,
                f"[tool.pytest-release] smoke in {release_repo.root / CONFIG}",
                "make the command end with a message and an exit code",
            )
