from pathlib import Path

import pytest

from aetherflow.core.errors import FlowError
from aetherflow.core.flow import ConnectorSpec, StepSpec, load_flow, parse_flow

BASE = """\
version: 1
name: t
connectors:
  - name: box
    type: memory
steps:
  - name: first
    uses: echo
    with:
      text: hi
  - name: second
    uses: store
    needs:
      - first
    with:
      connector: box
      key: k
"""


def test_the_demo_flow_loads(demo_flow: Path) -> None:
    flow = load_flow(demo_flow)

    assert (flow.name, flow.source) == ("demo", str(demo_flow))
    assert flow.connectors == (ConnectorSpec("scratch", "memory", {}, 8),)
    assert [step.name for step in flow.steps] == ["cheer", "shout", "save", "read-back"]
    assert flow.steps[0] == StepSpec("cheer", "echo", (), {"text": "hooray", "times": 3}, 12)
    assert flow.steps[3].needs == ("save",)


def test_a_flow_needs_no_connectors_or_description() -> None:
    flow = parse_flow("version: 1\nname: t\nsteps:\n  - name: a\n    uses: echo\n")

    assert (flow.description, flow.connectors, flow.source) == ("", (), "<string>")


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        (
            "uses: echo",
            "uses: shout",
            8,
            "step 'first' uses unknown step 'shout' (known: echo, load, store, uppercase)",
        ),
        (
            "type: memory",
            "type: redis",
            5,
            "connector 'box' has unknown type 'redis' (known: memory)",
        ),
        ("      - first", "      - third", 11, "step 'second' needs unknown step 'third'"),
        (
            "name: second",
            "name: first",
            11,
            "duplicate step name 'first' (first defined on line 7)",
        ),
        (
            "      connector: box",
            "      connector: crate",
            11,
            "unknown connector 'crate' (declared: box)",
        ),
        ("version: 1", "version: 2", 1, "unsupported flow format version 2 (supported: 1)"),
        (
            "name: t\n",
            "title: t\n",
            2,
            "unknown key 'title' in the flow (expected: connectors, description,",
        ),
        ("    uses: echo\n", "", 7, "a step has no 'uses'"),
        ("name: t\n", 'name: ""\n', 2, "'name' of the flow must be a non-empty string"),
        ("name: t\n", "name: 5\n", 2, "'name' of the flow must be a non-empty string"),
        (
            "    with:\n      text: hi\n",
            "    with: hi\n",
            9,
            "'with' of step 'first' must be a mapping",
        ),
        (
            "      text: hi",
            "      text:\n        - hi",
            10,
            "'text' in 'with' of step 'first' must be a string",
        ),
        ("    needs:\n      - first\n", "    needs: first\n", 13, "'needs' must be a list"),
        (
            "      - first\n",
            "      - name: first\n",
            13,
            "'needs' of step 'second' must list step names",
        ),
        ("  - name: first\n", "  - first\n  - name: first\n", 6, "a step must be a mapping"),
        (BASE, "- a\n", 1, "the flow must be a mapping"),
    ],
)
def test_an_invalid_flow_is_an_error_with_its_line(
    old: str, new: str, line: int, words: str
) -> None:
    assert old in BASE
    with pytest.raises(FlowError) as caught:
        parse_flow(BASE.replace(old, new), "flow.yaml")

    assert caught.value.line == line
    assert words in caught.value.message


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(FlowError) as caught:
        load_flow(path)

    assert str(caught.value) == f"{path}: no such file"


def test_a_file_that_is_not_utf8_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(FlowError) as caught:
        load_flow(path)

    assert str(caught.value) == f"{path}: not a UTF-8 text file"


def test_a_directory_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(FlowError) as caught:
        load_flow(tmp_path)

    assert str(caught.value).startswith(f"{tmp_path}: ")
