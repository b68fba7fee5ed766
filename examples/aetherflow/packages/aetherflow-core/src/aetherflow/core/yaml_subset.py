"""A loader for the small YAML subset that flow files use.

Supported: block mappings with plain keys, block lists (of mappings or of
scalars), plain and quoted strings, integers and ``#`` comments. Anything else
(flow collections, anchors, tags, block scalars, booleans, floats, nulls, several
documents) is rejected with a :class:`FlowError` that names the line, rather
than read differently from what a full YAML parser would read.
"""

import re
from dataclasses import dataclass
from typing import TypeAlias

from aetherflow.core.errors import FlowError

Scalar: TypeAlias = str | int
Value: TypeAlias = "Scalar | YamlMap | list[Value]"


class YamlMap(dict[str, Value]):
    """A mapping that remembers the line it starts on and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?\Z")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_NOT_A_STRING = re.compile(
    r"(?i:true|false|yes|no|on|off|null|~|[-+]?\.(?:inf|nan)|0x[0-9a-f]+|0o[0-7]+"
    r"|[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?"
    r"|[-+]?[0-9]+(?::[0-5]?[0-9])+|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)\Z"
)
_UNSUPPORTED_START = {
    "[": "flow-style lists are",
    "{": "flow-style mappings are",
    "&": "anchors are",
    "*": "aliases are",
    "!": "tags are",
    "|": "block scalars are",
    ">": "block scalars are",
    "%": "values starting with '%' are",
    "@": "values starting with '@' are",
    "`": "values starting with '`' are",
}
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t"}


def load_yaml(text: str, source: str) -> Value:
    """Parse *text* (the contents of *source*) into plain Python values."""
    return _Parser(text, source).document()


@dataclass
class _Line:
    number: int
    indent: int
    text: str


def _is_item(text: str) -> bool:
    return text == "-" or text.startswith("- ")


def _is_blank(text: str) -> bool:
    return not text or text.startswith("#")


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = self._content_lines(text)
        self.pos = 0

    def error(self, message: str, line: int | None) -> FlowError:
        return FlowError(message, self.source, line)

    def _content_lines(self, text: str) -> list[_Line]:
        lines = []
        for number, raw in enumerate(text.splitlines(), start=1):
            stripped = raw.strip()
            if _is_blank(stripped):
                continue
            body = raw.lstrip(" ")
            if body.startswith("\t"):
                raise self.error("tabs are not allowed in indentation", number)
            if stripped in ("---", "..."):
                raise self.error("document markers ('---', '...') are not supported", number)
            lines.append(_Line(number, len(raw) - len(body), body.rstrip()))
        return lines

    @property
    def current(self) -> _Line | None:
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def document(self) -> Value:
        if not self.lines:
            raise self.error("the file is empty", None)
        indent = self.lines[0].indent
        value = self.block(indent)
        if line := self.current:
            # Only a list can stop at a line of its own indent: one that is not an item.
            problem = (
                "expected a list item '- ...'"
                if line.indent == indent
                else "inconsistent indentation"
            )
            raise self.error(problem, line.number)
        return value

    def block(self, indent: int) -> Value:
        if _is_item(self.lines[self.pos].text):
            return self.sequence(indent)
        return self.mapping(indent)

    def mapping(self, indent: int) -> YamlMap:
        result = YamlMap(self.lines[self.pos].number)
        while (line := self.current) and line.indent >= indent:
            if line.indent > indent:
                raise self.error("inconsistent indentation", line.number)
            match = _KEY.match(line.text)
            if not match:
                raise self.error(f"expected 'key: value', got {line.text!r}", line.number)
            key, rest = match[1], match[2] or ""
            if key in result:
                raise self.error(f"duplicate key {key!r}", line.number)
            self.pos += 1
            if _is_blank(rest):
                result[key] = self.nested(line, list_at_same_indent=True)
            else:
                result[key] = self.scalar(rest, line.number)
            result.key_lines[key] = line.number
        return result

    def sequence(self, indent: int) -> list[Value]:
        items: list[Value] = []
        while (line := self.current) and line.indent == indent and _is_item(line.text):
            rest = line.text[1:].lstrip(" ")
            if _is_blank(rest):
                self.pos += 1
                items.append(self.nested(line, list_at_same_indent=False))
            elif _KEY.match(rest):
                # "- key: value" opens a mapping whose keys line up with "key".
                item_indent = indent + len(line.text) - len(rest)
                self.lines[self.pos] = _Line(line.number, item_indent, rest)
                items.append(self.mapping(item_indent))
            else:
                self.pos += 1
                items.append(self.scalar(rest, line.number))
        return items

    def nested(self, parent: _Line, *, list_at_same_indent: bool) -> Value:
        line = self.current
        if line and (
            line.indent > parent.indent
            or (list_at_same_indent and line.indent == parent.indent and _is_item(line.text))
        ):
            return self.block(line.indent)
        raise self.error("missing value (empty values are not supported)", parent.number)

    def scalar(self, text: str, number: int) -> Scalar:
        if text[0] in "'\"":
            return self.quoted(text, number)
        text = text.split(" #", 1)[0].rstrip()
        if _is_item(text):
            raise self.error(f"lists on one line are not supported: {text!r}", number)
        if text[0] in _UNSUPPORTED_START:
            raise self.error(f"{_UNSUPPORTED_START[text[0]]} not supported: {text!r}", number)
        if ": " in text or text.endswith(":"):
            raise self.error(f"unsupported key or value {text!r} (quote the value)", number)
        if _INT.match(text):
            return int(text)
        if _NOT_A_STRING.match(text):
            raise self.error(
                f"unsupported value {text!r}: only strings and integers are supported "
                "(quote it to make it a string)",
                number,
            )
        return text

    def quoted(self, text: str, number: int) -> str:
        quote, i = text[0], 1
        chars: list[str] = []
        while i < len(text):
            char = text[i]
            if char == quote and quote == "'" and text[i + 1 : i + 2] == "'":
                chars.append("'")
                i += 2
            elif char == quote:
                after = text[i + 1 :].strip()
                if not _is_blank(after):
                    raise self.error(f"unexpected text after a quoted string: {after!r}", number)
                return "".join(chars)
            elif char == "\\" and quote == '"':
                escaped = _ESCAPES.get(text[i + 1 : i + 2])
                if escaped is None:
                    raise self.error(f"unsupported escape sequence {text[i : i + 2]!r}", number)
                chars.append(escaped)
                i += 2
            else:
                chars.append(char)
                i += 1
        raise self.error(
            "unterminated quoted string (multi-line strings are not supported)", number
        )
