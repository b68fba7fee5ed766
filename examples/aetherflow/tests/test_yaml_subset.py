import pytest

from aetherflow.core.errors import FlowError
from aetherflow.core.yaml_subset import YamlMap, load_yaml

DOCUMENT = """\
# a comment line
name: demo   # a trailing comment
count: 3
negative: -12
quoted: "say \\"hi\\" # not a comment\\n"
single: 'it''s'
steps:
  - name: a
    with:
      text: hello world
  -
    name: b
tags:
- one
- 'two'
"""


def test_a_document_of_the_subset_is_read_into_plain_values() -> None:
    value = load_yaml(DOCUMENT, "f.yaml")

    assert value == {
        "name": "demo",
        "count": 3,
        "negative": -12,
        "quoted": 'say "hi" # not a comment\n',
        "single": "it's",
        "steps": [{"name": "a", "with": {"text": "hello world"}}, {"name": "b"}],
        "tags": ["one", "two"],
    }


def test_mappings_remember_their_lines() -> None:
    value = load_yaml("a: 1\n\nsteps:\n  - name: x\n    uses: echo\n", "f.yaml")

    assert isinstance(value, YamlMap)
    assert (value.line, value.line_of("steps")) == (1, 3)
    step = value["steps"][0]  # type: ignore[index]
    assert isinstance(step, YamlMap)
    assert (step.line, step.line_of("uses"), step.line_of("absent")) == (4, 5, 4)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "the file is empty"),
        ("# only a comment\n", None, "the file is empty"),
        ("a: [1, 2]\n", 1, "flow-style lists are not supported: '[1, 2]'"),
        ("a: {b: 1}\n", 1, "flow-style mappings are not supported"),
        ("a: &anchor 1\n", 1, "anchors are not supported"),
        ("a: !!str 1\n", 1, "tags are not supported"),
        ("a: |\n  text\n", 1, "block scalars are not supported"),
        ("a: - b\n", 1, "lists on one line are not supported: '- b'"),
        ("a: @b\n", 1, "values starting with '@' are not supported"),
        ("a: true\n", 1, "unsupported value 'true': only strings and integers"),
        ("a: null\n", 1, "quote it to make it a string"),
        ("a: 1.5\n", 1, "unsupported value '1.5'"),
        ("a: 2026-11-20\n", 1, "unsupported value '2026-11-20'"),
        ("a: 010\n", 1, "unsupported value '010'"),
        ("a: 1:30\n", 1, "unsupported value '1:30'"),
        ("a: b: c\n", 1, "unsupported key or value 'b: c'"),
        ("a b: 1\n", 1, "expected 'key: value', got 'a b: 1'"),
        ("a: 1\n\tb: 2\n", 2, "tabs are not allowed in indentation"),
        ("a: 1\n  b: 2\n", 2, "inconsistent indentation"),
        ("  a: 1\nb: 2\n", 2, "inconsistent indentation"),
        ("- a\nb: 1\n", 2, "expected a list item"),
        ("a:\n  - x\n  b: 1\n", 3, "inconsistent indentation"),
        ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
        ("a:\nb: 1\n", 1, "missing value"),
        ("a:\n", 1, "missing value"),
        ("-\n- a\n", 1, "missing value"),
        ('a: "open\n', 1, "unterminated quoted string"),
        ('a: "x" y\n', 1, "unexpected text after a quoted string: 'y'"),
        ('a: "\\q"\n', 1, "unsupported escape sequence"),
        ("---\na: 1\n", 1, "document markers"),
    ],
)
def test_unsupported_input_is_an_error_with_its_line(
    text: str, line: int | None, words: str
) -> None:
    with pytest.raises(FlowError) as caught:
        load_yaml(text, "f.yaml")

    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith("f.yaml:" if line is None else f"f.yaml:{line}: ")
