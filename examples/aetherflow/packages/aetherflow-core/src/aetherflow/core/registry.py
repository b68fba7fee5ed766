"""The registries of steps and connectors, filled with the built-ins.

Public access goes through :mod:`aetherflow.core.api`.
"""

import re
from typing import TypeVar

from aetherflow.core import builtin
from aetherflow.core.steps import ConnectorFactory, StepFunc

_T = TypeVar("_T")
_NAME = re.compile(r"[a-z][a-z0-9_-]*\Z")

STEPS: dict[str, StepFunc] = {
    "echo": builtin.echo,
    "uppercase": builtin.uppercase,
    "store": builtin.store,
    "load": builtin.load,
}
CONNECTORS: dict[str, ConnectorFactory] = {"memory": builtin.memory}


def register(table: dict[str, _T], kind: str, name: str, obj: _T) -> None:
    """Add *obj* to *table* as *name*; *kind* ("step", "connector") is for messages."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"invalid {kind} name {name!r}: use lower-case letters, digits, '-' and '_', "
            "starting with a letter"
        )
    if not callable(obj):
        raise TypeError(f"{kind} {name!r} must be callable, got {type(obj).__name__}")
    if name in table:
        raise ValueError(f"{kind} {name!r} is already registered")
    table[name] = obj
