"""Flow files: read one, check it against the registries, describe it as data."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aetherflow.core import registry
from aetherflow.core.errors import FlowError
from aetherflow.core.yaml_subset import Scalar, Value, YamlMap, load_yaml

FORMAT_VERSION = 1


@dataclass(frozen=True)
class ConnectorSpec:
    name: str
    type: str
    options: Mapping[str, Scalar]
    line: int


@dataclass(frozen=True)
class StepSpec:
    name: str
    uses: str
    needs: tuple[str, ...]
    params: Mapping[str, Scalar]
    line: int


@dataclass(frozen=True)
class Flow:
    name: str
    description: str
    source: str
    connectors: tuple[ConnectorSpec, ...]
    steps: tuple[StepSpec, ...]


def load_flow(path: str | os.PathLike[str]) -> Flow:
    """Read and check the flow file at *path*; raise FlowError if it is unusable."""
    source = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FlowError("no such file", source) from None
    except UnicodeDecodeError:
        raise FlowError("not a UTF-8 text file", source) from None
    except OSError as exc:
        raise FlowError(exc.strerror or str(exc), source) from None
    return parse_flow(text, source)


def parse_flow(text: str, source: str = "<string>") -> Flow:
    """Parse and check a flow given as text; *source* names it in errors."""
    return _Reader(source).flow(load_yaml(text, source))


def _known(names: Mapping[str, object]) -> str:
    return ", ".join(sorted(names))


class _Reader:
    """Turns the parsed YAML into a Flow, raising FlowError at the first problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, message: str, line: int) -> FlowError:
        return FlowError(message, self.source, line)

    def flow(self, document: Value) -> Flow:
        root = self.mapping(
            document, "the flow", 1, {"version", "name", "steps"}, {"description", "connectors"}
        )
        version = root["version"]
        if version != FORMAT_VERSION:
            raise self.error(
                f"unsupported flow format version {version!r} (supported: {FORMAT_VERSION})",
                root.line_of("version"),
            )
        name = self.string(root, "name", "the flow")
        description = self.string(root, "description", "the flow")
        connectors = [
            self.connector(item, root.line_of("connectors"))
            for item in self.items(root, "connectors")
        ]
        steps = [self.step(item, root.line_of("steps")) for item in self.items(root, "steps")]
        self.check_names("connector", connectors)
        self.check_names("step", steps)
        self.check_references(steps, connectors)
        return Flow(
            name=name,
            description=description,
            source=self.source,
            connectors=tuple(connectors),
            steps=tuple(steps),
        )

    def connector(self, item: Value, line: int) -> ConnectorSpec:
        node = self.mapping(item, "a connector", line, {"name", "type"}, {"with"})
        name = self.string(node, "name", "a connector")
        type_ = self.string(node, "type", f"connector {name!r}")
        if type_ not in registry.CONNECTORS:
            known = _known(registry.CONNECTORS)
            raise self.error(
                f"connector {name!r} has unknown type {type_!r} (known: {known})",
                node.line_of("type"),
            )
        return ConnectorSpec(name, type_, self.params(node, f"connector {name!r}"), node.line)

    def step(self, item: Value, line: int) -> StepSpec:
        node = self.mapping(item, "a step", line, {"name", "uses"}, {"needs", "with"})
        name = self.string(node, "name", "a step")
        uses = self.string(node, "uses", f"step {name!r}")
        if uses not in registry.STEPS:
            raise self.error(
                f"step {name!r} uses unknown step {uses!r} (known: {_known(registry.STEPS)})",
                node.line_of("uses"),
            )
        needs = self.items(node, "needs")
        names = tuple(need for need in needs if isinstance(need, str))
        if len(names) != len(needs):
            raise self.error(
                f"'needs' of step {name!r} must list step names", node.line_of("needs")
            )
        return StepSpec(name, uses, names, self.params(node, f"step {name!r}"), node.line)

    def check_names(self, kind: str, specs: list[ConnectorSpec] | list[StepSpec]) -> None:
        first_line: dict[str, int] = {}
        for spec in specs:
            if spec.name in first_line:
                first = first_line[spec.name]
                raise self.error(
                    f"duplicate {kind} name {spec.name!r} (first defined on line {first})",
                    spec.line,
                )
            first_line[spec.name] = spec.line

    def check_references(self, steps: list[StepSpec], connectors: list[ConnectorSpec]) -> None:
        step_names = {step.name for step in steps}
        connector_names = {connector.name for connector in connectors}
        for step in steps:
            for need in step.needs:
                if need not in step_names:
                    raise self.error(f"step {step.name!r} needs unknown step {need!r}", step.line)
            connector = step.params.get("connector")
            if connector is not None and connector not in connector_names:
                declared = ", ".join(sorted(connector_names)) or "none"
                raise self.error(
                    f"step {step.name!r} uses unknown connector {connector!r} "
                    f"(declared: {declared})",
                    step.line,
                )

    def mapping(
        self, node: Value, what: str, line: int, required: set[str], optional: set[str]
    ) -> YamlMap:
        if not isinstance(node, YamlMap):
            raise self.error(f"{what} must be a mapping", line)
        allowed = required | optional
        for key in node:
            if key not in allowed:
                raise self.error(
                    f"unknown key {key!r} in {what} (expected: {', '.join(sorted(allowed))})",
                    node.line_of(key),
                )
        for key in sorted(required - node.keys()):
            raise self.error(f"{what} has no {key!r}", node.line)
        return node

    def string(self, node: YamlMap, key: str, what: str) -> str:
        value = node.get(key, "")
        if not isinstance(value, str) or (key in node and not value):
            raise self.error(f"{key!r} of {what} must be a non-empty string", node.line_of(key))
        return value

    def items(self, node: YamlMap, key: str) -> list[Value]:
        value = node.get(key, [])
        if not isinstance(value, list):
            raise self.error(f"{key!r} must be a list", node.line_of(key))
        return value

    def params(self, node: YamlMap, what: str) -> dict[str, Scalar]:
        """The optional ``with:`` mapping of *node*; its values must be scalars."""
        options = node.get("with", YamlMap(node.line))
        if not isinstance(options, YamlMap):
            raise self.error(f"'with' of {what} must be a mapping", node.line_of("with"))
        params: dict[str, Scalar] = {}
        for key, value in options.items():
            if not isinstance(value, str | int):
                raise self.error(
                    f"{key!r} in 'with' of {what} must be a string or an integer",
                    options.line_of(key),
                )
            params[key] = value
        return params
