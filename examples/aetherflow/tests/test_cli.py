import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import aetherflow.cli
import aetherflow.core.api as api
import aetherflow.scheduler.cli
from aetherflow.core.steps import StepContext, StepError

WriteFlow = Callable[[str], Path]
Main = Callable[[Sequence[str] | None], int]

DEMO_OUTPUT = """\
cheer: hooray hooray hooray
shout: HOORAY HOORAY HOORAY
save: stored 'cheer' in scratch
read-back: HOORAY HOORAY HOORAY
"""

UNKNOWN_STEP = "version: 1\nname: t\nsteps:\n  - name: a\n    uses: shout\n"
MALFORMED = "version: 1\nname: [t]\n"


def test_validate_reports_a_valid_flow(demo_flow: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert aetherflow.cli.main(["validate", str(demo_flow)]) == 0

    assert capsys.readouterr().out == f"{demo_flow}: ok, flow 'demo' with 4 steps\n"


def test_run_prints_each_steps_output(demo_flow: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert aetherflow.cli.main(["run", str(demo_flow)]) == 0

    assert capsys.readouterr() == (DEMO_OUTPUT, "")


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(
    ("text", "error"),
    [
        (None, "{path}: no such file"),
        (MALFORMED, "{path}:2: flow-style lists are not supported: '[t]'"),
        (
            UNKNOWN_STEP,
            "{path}:5: step 'a' uses unknown step 'shout' (known: echo, load, store, uppercase)",
        ),
        (
            UNKNOWN_STEP.replace("shout", "echo\n    needs:\n      - a"),
            "{path}:4: steps form a cycle: a -> a",
        ),
    ],
    ids=["missing-file", "malformed", "unknown-step", "cycle"],
)
def test_an_invalid_flow_is_one_error_line_and_status_2(
    command: str, text: str | None, error: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "flow.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")

    assert aetherflow.cli.main([command, str(path)]) == 2

    assert capsys.readouterr() == ("", f"aetherflow: error: {error.format(path=path)}\n")


def test_a_failing_step_is_one_error_line_and_status_1(
    write_flow: WriteFlow, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(context: StepContext) -> str:
        raise StepError("boom")

    api.register_step("explode", explode)
    path = write_flow(UNKNOWN_STEP.replace("shout", "explode"))

    assert aetherflow.cli.main(["run", str(path)]) == 1

    assert capsys.readouterr() == ("", "aetherflow: error: step 'a' (explode) failed: boom\n")


@pytest.mark.parametrize(
    "main", [aetherflow.cli.main, aetherflow.scheduler.cli.main], ids=["aetherflow", "scheduler"]
)
@pytest.mark.parametrize(
    ("option", "words"),
    [("--help", "usage: aetherflow"), ("--version", f" {aetherflow.cli.__version__}")],
)
def test_help_and_version_exit_0(
    main: Main, option: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main([option])

    assert caught.value.code == 0
    assert words in capsys.readouterr().out


def test_the_scheduler_plans_the_demo(demo_flow: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert aetherflow.scheduler.cli.main(["plan", str(demo_flow)]) == 0

    assert capsys.readouterr().out == (
        "1. cheer (echo)\n"
        "2. shout (uppercase, after cheer)\n"
        "3. save (store, after shout)\n"
        "4. read-back (load, after save)\n"
    )


def test_the_scheduler_reports_an_invalid_flow(
    write_flow: WriteFlow, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_flow(MALFORMED)

    assert aetherflow.scheduler.cli.main(["plan", str(path)]) == 2

    assert capsys.readouterr() == (
        "",
        f"aetherflow-scheduler: error: {path}:2: flow-style lists are not supported: '[t]'\n",
    )


@pytest.mark.parametrize(
    ("args", "status", "stdout", "stderr"),
    [
        (["run", "demo/flow.yaml"], 0, DEMO_OUTPUT, ""),
        (
            ["validate", "/nonexistent/flow.yaml"],
            2,
            "",
            "aetherflow: error: /nonexistent/flow.yaml: no such file\n",
        ),
    ],
)
def test_python_m_aetherflow_cli(
    args: list[str], status: int, stdout: str, stderr: str, src_env: dict[str, str], demo_flow: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "aetherflow.cli", *args],
        cwd=demo_flow.parents[1],
        env=src_env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert (result.returncode, result.stdout, result.stderr) == (status, stdout, stderr)
