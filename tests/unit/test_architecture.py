"""The package's shape, checked from its source: layers import only downwards, one module
starts child processes, and pure logic does not import pytest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pytest_release"
# Each module's layer, by its dotted name under pytest_release (a subpackage covers its
# modules); a module may import only from its own layer or a lower one.
LAYERS: dict[str, int] = {
    "": 0,  # pytest_release/__init__.py
    "problems": 0,
    "redact": 0,
    "process": 0,
    "checklist": 0,
    "settings": 1,
    "gate": 2,
    "target": 3,
    "index": 4,
    "dists": 5,
    "checks": 6,
    "api": 7,
    "publish": 8,
    "session": 9,
    "commands": 10,
    "plugin": 11,
    "cli": 11,
    "suite": 11,
}
# Modules of pure logic: no pytest, so that unit tests reach them directly.
PURE = ("problems", "redact", "process", "checklist", "settings", "target", "index", "dists",
        "checks", "api", "commands", "session.ledger", "session.guard", "publish.progress",
        "publish.rehearsal", "publish.github_release", "publish.github_release_notes")  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(part for part in parts if part != "__init__")


def layer_of(name: str) -> int:
    key = name.split(".")[0] if name.split(".")[0] in LAYERS else name
    return LAYERS[key]


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (TYPE_CHECKING included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def own_imports(path: Path) -> set[str]:
    prefix = "pytest_release."
    known = {module_name(each) for each in MODULES}
    return {
        name.removeprefix(prefix)
        for name in imports_of(path)
        if name.startswith(prefix) and name.removeprefix(prefix) in known
    }


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_a_module_imports_only_from_its_layer_or_below(path: Path) -> None:
    name = module_name(path)
    higher = sorted(other for other in own_imports(path) if layer_of(other) > layer_of(name))
    assert not higher, f"{name} (layer {layer_of(name)}) imports higher layers: {higher}"


def test_only_the_runner_starts_child_processes() -> None:
    starting = [
        module_name(path)
        for path in MODULES
        if imports_of(path) & {"subprocess", "os.system", "os.popen", "multiprocessing"}
    ]
    assert starting == ["process"]


@pytest.mark.parametrize(
    "path",
    [path for path in MODULES if module_name(path).startswith(PURE)],
    ids=module_name,
)
def test_pure_logic_does_not_import_pytest(path: Path) -> None:
    assert not {name for name in imports_of(path) if name.split(".")[0] in {"pytest", "_pytest"}}
