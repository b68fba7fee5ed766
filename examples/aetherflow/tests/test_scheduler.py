from pathlib import Path

import pytest

import aetherflow.core.api as api
from aetherflow.core.errors import FlowError
from aetherflow.core.flow import StepSpec, load_flow, parse_flow
from aetherflow.core.steps import StepContext, StepError
from aetherflow.scheduler.plan import plan
from aetherflow.scheduler.runner import RunError, run


def flow_of(*steps: str, connectors: str = "") -> str:
    """A flow text with the given step entries (YAML list items, 2-space indented)."""
    return "version: 1\nname: t\n" + connectors + "steps:\n" + "".join(steps)


def step(name: str, uses: str = "echo", needs: tuple[str, ...] = (), **params: str | int) -> str:
    text = f"  - name: {name}\n    uses: {uses}\n"
    if needs:
        text += "    needs:\n" + "".join(f"      - {need}\n" for need in needs)
    if params:
        text += "    with:\n" + "".join(f"      {key}: {value}\n" for key, value in params.items())
    return text


def names(steps: list[StepSpec]) -> list[str]:
    return [spec.name for spec in steps]


def test_the_demo_runs_in_file_order(demo_flow: Path) -> None:
    assert names(plan(load_flow(demo_flow))) == ["cheer", "shout", "save", "read-back"]


def test_a_step_runs_after_the_steps_it_needs() -> None:
    flow = parse_flow(
        flow_of(step("c", needs=("b", "a")), step("b", needs=("a",)), step("a"), step("d"))
    )

    assert names(plan(flow)) == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("steps", "cycle", "line"),
    [
        ((step("a", needs=("a",)),), "a -> a", 4),
        ((step("x"), step("a", needs=("b",)), step("b", needs=("a",))), "a -> b -> a", 6),
        (
            (step("a", needs=("b",)), step("b", needs=("c",)), step("c", needs=("b",))),
            "b -> c -> b",
            8,
        ),
    ],
    ids=["self", "pair", "behind-a-step"],
)
def test_a_cycle_is_an_error_naming_its_steps(
    steps: tuple[str, ...], cycle: str, line: int
) -> None:
    with pytest.raises(FlowError) as caught:
        plan(parse_flow(flow_of(*steps), "f.yaml"))

    assert str(caught.value) == f"f.yaml:{line}: steps form a cycle: {cycle}"


def test_the_demo_passes_outputs_along_and_through_its_connector(demo_flow: Path) -> None:
    seen: list[tuple[str, str]] = []

    outputs = run(
        load_flow(demo_flow), on_output=lambda spec, output: seen.append((spec.name, output))
    )

    assert outputs == {
        "cheer": "hooray hooray hooray",
        "shout": "HOORAY HOORAY HOORAY",
        "save": "stored 'cheer' in scratch",
        "read-back": "HOORAY HOORAY HOORAY",
    }
    assert seen == list(outputs.items())


def test_a_step_gets_the_outputs_of_the_steps_it_needs() -> None:
    def inputs(context: StepContext) -> str:
        return repr(dict(context.inputs))

    api.register_step("inputs", inputs)
    flow = parse_flow(
        flow_of(step("a", text="x"), step("b", text="y"), step("c", "inputs", needs=("b", "a")))
    )

    assert run(flow)["c"] == "{'b': 'y', 'a': 'x'}"


def fails_expectedly(context: StepContext) -> str:
    raise StepError("the disk is full")


def fails_unexpectedly(context: StepContext) -> str:
    return str(1 // 0)


def returns_an_int(context: StepContext) -> str:
    return 42  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("flow_text", "message"),
    [
        (
            flow_of(step("a", "fails-expectedly")),
            "step 'a' (fails-expectedly) failed: the disk is full",
        ),
        (
            flow_of(step("a", "fails-unexpectedly")),
            "step 'a' (fails-unexpectedly) failed: ZeroDivisionError: ",
        ),
        (flow_of(step("a", "returns-an-int")), "step 'a' (returns-an-int) returned int, not str"),
        (
            flow_of(step("a", text="x", times=0)),
            "step 'a' (echo) failed: parameter 'times' must be at least 1",
        ),
        (flow_of(step("a", times=2)), "step 'a' (echo) failed: missing parameter 'text'"),
        (flow_of(step("a", text=7)), "step 'a' (echo) failed: parameter 'text' must be str, got 7"),
        (
            flow_of(step("a", "uppercase")),
            "step 'a' (uppercase) failed: needs a 'text' parameter or a step",
        ),
        (
            flow_of(
                step("a", "load", connector="m", key="k"),
                connectors="connectors:\n  - name: m\n    type: memory\n",
            ),
            "step 'a' (load) failed: nothing stored under 'k'",
        ),
        (
            flow_of(
                step("a", text="x"),
                connectors="connectors:\n  - name: m\n    type: memory\n    with:\n      size: 1\n",
            ),
            "connector 'm' (memory) failed to start: the memory connector takes no options",
        ),
    ],
    ids=[
        "step-error",
        "exception",
        "not-a-string",
        "times",
        "no-text",
        "text-int",
        "no-input",
        "no-key",
        "options",
    ],
)
def test_a_failure_while_running_is_a_run_error(flow_text: str, message: str) -> None:
    api.register_step("fails-expectedly", fails_expectedly)
    api.register_step("fails-unexpectedly", fails_unexpectedly)
    api.register_step("returns-an-int", returns_an_int)

    with pytest.raises(RunError) as caught:
        run(parse_flow(flow_text))

    assert str(caught.value).startswith(message)
