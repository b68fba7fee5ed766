from collections.abc import Mapping

import pytest

import aetherflow.core.api as api
from aetherflow.core.builtin import MemoryConnector
from aetherflow.core.steps import Connector, StepContext


def shout(context: StepContext) -> str:
    return f"{context.params['text']}!"


def memory_like(options: Mapping[str, str | int]) -> Connector:
    return MemoryConnector()


def test_the_public_api_is_these_four_functions() -> None:
    assert sorted(api.__all__) == [
        "list_connectors",
        "list_steps",
        "register_connector",
        "register_step",
    ]


def test_the_built_ins_are_listed_sorted() -> None:
    assert api.list_steps() == ["echo", "load", "store", "uppercase"]
    assert api.list_connectors() == ["memory"]


def test_a_registered_step_is_listed() -> None:
    api.register_step("shout", shout)

    assert api.list_steps() == ["echo", "load", "shout", "store", "uppercase"]


def test_a_registered_connector_is_listed() -> None:
    api.register_connector("memory-like", memory_like)

    assert api.list_connectors() == ["memory", "memory-like"]


@pytest.mark.parametrize("name", ["echo", "Shout", "", "1st", "with space"])
def test_a_taken_or_invalid_step_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match=f"step {name!r}|invalid step name {name!r}"):
        api.register_step(name, shout)

    assert "shout" not in api.list_steps()


def test_a_taken_connector_name_is_refused() -> None:
    with pytest.raises(ValueError, match="connector 'memory' is already registered"):
        api.register_connector("memory", memory_like)


def test_something_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="step 'shout' must be callable, got str"):
        api.register_step("shout", "shout")  # type: ignore[arg-type]
