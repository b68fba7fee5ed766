"""The public API of aetherflow-core.

A flow names what it uses: ``uses:`` of a step is a registered step, ``type:`` of
a connector is a registered connector. Built in: the steps ``echo``,
``uppercase``, ``store`` and ``load``, and the connector ``memory``.
"""

from aetherflow.core import registry
from aetherflow.core.steps import ConnectorFactory, StepFunc

__all__ = ["list_connectors", "list_steps", "register_connector", "register_step"]


def list_steps() -> list[str]:
    """Return the names of all registered steps, sorted."""
    return sorted(registry.STEPS)


def list_connectors() -> list[str]:
    """Return the names of all registered connectors, sorted."""
    return sorted(registry.CONNECTORS)


def register_step(name: str, func: StepFunc) -> None:
    """Register *func* as the step *name*.

    *func* takes a :class:`aetherflow.core.steps.StepContext` and returns the
    step's output as a string; it raises :class:`aetherflow.core.steps.StepError`
    for a failure whose message says it all.

    Raises ValueError if *name* is not a valid name or is already registered,
    TypeError if *func* is not callable.
    """
    registry.register(registry.STEPS, "step", name, func)


def register_connector(name: str, factory: ConnectorFactory) -> None:
    """Register *factory* as the connector *name*.

    *factory* takes the connector's ``with:`` options and returns an object
    with ``read(key) -> str`` and ``write(key, value)`` methods.

    Raises ValueError if *name* is not a valid name or is already registered,
    TypeError if *factory* is not callable.
    """
    registry.register(registry.CONNECTORS, "connector", name, factory)
