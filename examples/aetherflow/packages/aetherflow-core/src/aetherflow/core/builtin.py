"""The steps and connectors that ship with aetherflow-core."""

from collections.abc import Mapping
from typing import TypeVar

from aetherflow.core.steps import Connector, StepContext, StepError
from aetherflow.core.yaml_subset import Scalar

_T = TypeVar("_T", str, int)


def _param(context: StepContext, name: str, kind: type[_T], default: _T | None = None) -> _T:
    value = context.params.get(name, default)
    if value is None:
        raise StepError(f"missing parameter {name!r}")
    if not isinstance(value, kind):
        raise StepError(f"parameter {name!r} must be {kind.__name__}, got {value!r}")
    return value


def _text(context: StepContext) -> str:
    """The `text` parameter, or else the outputs of the steps it needs, one per line."""
    if "text" in context.params:
        return _param(context, "text", str)
    if context.inputs:
        return "\n".join(context.inputs.values())
    raise StepError("needs a 'text' parameter or a step in 'needs' to read from")


def _connector(context: StepContext) -> Connector:
    return context.connectors[_param(context, "connector", str)]


def echo(context: StepContext) -> str:
    """Output `text`, repeated `times` times (default 1)."""
    times = _param(context, "times", int, default=1)
    if times < 1:
        raise StepError(f"parameter 'times' must be at least 1, got {times}")
    return " ".join([_param(context, "text", str)] * times)


def uppercase(context: StepContext) -> str:
    """Output the input text in upper case."""
    return _text(context).upper()


def store(context: StepContext) -> str:
    """Write the input text to `connector` under `key`."""
    key = _param(context, "key", str)
    _connector(context).write(key, _text(context))
    return f"stored {key!r} in {context.params['connector']}"


def load(context: StepContext) -> str:
    """Output what `connector` holds under `key`."""
    return _connector(context).read(_param(context, "key", str))


class MemoryConnector:
    """A connector that keeps values in a dict for the duration of a run."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def read(self, key: str) -> str:
        try:
            return self._values[key]
        except KeyError:
            raise StepError(f"nothing stored under {key!r}") from None

    def write(self, key: str, value: str) -> None:
        self._values[key] = value


def memory(options: Mapping[str, Scalar]) -> Connector:
    """The `memory` connector; it takes no options."""
    if options:
        raise StepError(f"the memory connector takes no options, got {', '.join(options)}")
    return MemoryConnector()
