"""The contract between Aetherflow and a step or a connector."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from aetherflow.core.yaml_subset import Scalar


class Connector(Protocol):
    """A named store that steps read from and write to."""

    def read(self, key: str) -> str: ...

    def write(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class StepContext:
    """What a step function receives when it runs."""

    step: str  # the step's name in the flow
    params: Mapping[str, Scalar]  # the step's `with:` mapping
    inputs: Mapping[str, str]  # outputs of the steps it `needs`, by step name
    connectors: Mapping[str, Connector]  # the flow's connectors, by name


StepFunc = Callable[[StepContext], str]
"""A step: takes its context, returns its output."""

ConnectorFactory = Callable[[Mapping[str, Scalar]], Connector]
"""Makes a connector from its `with:` options."""


class StepError(Exception):
    """An expected failure of a step or connector; its message is shown as is."""
