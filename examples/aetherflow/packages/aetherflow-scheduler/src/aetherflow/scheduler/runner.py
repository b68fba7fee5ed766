"""Running a flow: connectors are started, then the steps run in plan order."""

from collections.abc import Callable

from aetherflow.core import registry
from aetherflow.core.flow import ConnectorSpec, Flow, StepSpec
from aetherflow.core.steps import Connector, StepContext, StepError
from aetherflow.scheduler.plan import plan

OutputHandler = Callable[[StepSpec, str], None]


class RunError(Exception):
    """A step or a connector failed while a flow ran."""


def run(flow: Flow, on_output: OutputHandler | None = None) -> dict[str, str]:
    """Run *flow*; return each step's output by step name.

    *on_output* is called after each step with the step and its output.
    Raises FlowError if the steps form a cycle, RunError when something fails.
    """
    steps = plan(flow)
    connectors = {spec.name: _start(spec) for spec in flow.connectors}
    outputs: dict[str, str] = {}
    for step in steps:
        inputs = {need: outputs[need] for need in step.needs}
        context = StepContext(step.name, step.params, inputs, connectors)
        try:
            output = registry.STEPS[step.uses](context)
        except Exception as exc:
            raise RunError(f"step {step.name!r} ({step.uses}) failed: {_describe(exc)}") from exc
        if not isinstance(output, str):
            kind = type(output).__name__
            raise RunError(f"step {step.name!r} ({step.uses}) returned {kind}, not str")
        outputs[step.name] = output
        if on_output is not None:
            on_output(step, output)
    return outputs


def _start(spec: ConnectorSpec) -> Connector:
    try:
        return registry.CONNECTORS[spec.type](spec.options)
    except Exception as exc:
        raise RunError(
            f"connector {spec.name!r} ({spec.type}) failed to start: {_describe(exc)}"
        ) from exc


def _describe(exc: Exception) -> str:
    return str(exc) if isinstance(exc, StepError) else f"{type(exc).__name__}: {exc}"
