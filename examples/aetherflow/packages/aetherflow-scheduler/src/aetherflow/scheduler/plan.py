"""The execution order of a flow's steps."""

from aetherflow.core.errors import FlowError
from aetherflow.core.flow import Flow, StepSpec


def plan(flow: Flow) -> list[StepSpec]:
    """Return the steps in execution order.

    Every step comes after the steps it needs; otherwise file order is kept.
    Raises FlowError, naming the steps, if the ``needs`` form a cycle.
    """
    order: list[StepSpec] = []
    done: set[str] = set()
    waiting = list(flow.steps)
    while waiting:
        ready = next((step for step in waiting if done.issuperset(step.needs)), None)
        if ready is None:
            raise _cycle_error(flow.source, waiting)
        order.append(ready)
        done.add(ready.name)
        waiting.remove(ready)
    return order


def _cycle_error(source: str, waiting: list[StepSpec]) -> FlowError:
    """Name one cycle among *waiting*, where every step needs another waiting step."""
    by_name = {step.name: step for step in waiting}
    path = [waiting[0].name]
    while True:
        step = by_name[path[-1]]
        following = next(need for need in step.needs if need in by_name)
        if following in path:
            cycle = [*path[path.index(following) :], following]
            return FlowError(
                f"steps form a cycle: {' -> '.join(cycle)}", source, by_name[following].line
            )
        path.append(following)
