"""Which top-level importable packages a project's wheel provides, found without building it:
from the build backend's own configuration where it has one (hatchling, setuptools, flit,
pdm-backend, poetry-core, uv_build, maturin), else from the backend's own default rules
(hatchling's, uv_build's), else discovered in the folders. Folders of tests, examples,
docs or integration code are never import packages unless the backend names them, and a
folder holding another project's pyproject.toml is that project's. A module of a namespace
folder is no import package (importing it may run it: examples); ``Monorepo.module_source``
still finds one named in ``public-api``. A folder named after the project itself that
holds modules of its own is the project's own package even without ``__init__.py``
(pydantic-ai-examples' ``pydantic_ai_examples``): it is imported as users import it, never
the subpackages inside (there, examples that need credentials at import). One holding only
subpackages is a namespace portion (the example's meta package ``aetherflow``, beside
``aetherflow.core`` of another project): its subpackages are the import packages."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_release.target.pyproject import nested, strings, table

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SKIPPED = frozenset(
    {
        *("tests", "test", "testing", "integration", "integration_tests"),
        *("docs", "doc", "examples", "example", "samples", "benchmarks", "scripts"),
        *("build", "dist", "node_modules", "venv", "__pycache__"),
    }
)
LITTER = frozenset({"__pycache__", "build", "dist", "node_modules"})
NOT_MODULES = frozenset({"setup", "conftest", "noxfile", "tasks", "fabfile", "manage"})
_MAX_NAMESPACE_DEPTH = 4


def import_packages(folder: Path, data: dict[str, Any], name: str) -> tuple[str, ...]:
    """Dotted import names, sorted: from the build backend's settings, else discovered.

    Discovery looks in ``src/`` (or the folder itself) for the highest directories that have
    an ``__init__.py``, descending through PEP 420 namespace directories, plus top-level
    modules in ``src/``.
    """
    tool = table(data, "tool")
    backend = str(table(data, "build-system").get("build-backend", "setuptools"))
    module = name.replace("-", "_").replace(".", "_").lower()
    readers: dict[str, Callable[[], list[str] | None]] = {
        "setuptools": lambda: _setuptools(folder, table(tool, "setuptools")),
        "hatchling": lambda: _hatchling(folder, tool, module),
        "flit": lambda: _flit(tool, name),
        "uv_build": lambda: _uv_build(tool, module),
        "maturin": lambda: _maturin(folder, tool, module),
        "pdm": lambda: _paths(
            folder, _last_part(strings(nested(tool, "pdm", "build").get("includes")))
        ),
        "poetry": lambda: _paths(folder, _poetry_packages(tool)),
    }
    reader = next((read for prefix, read in readers.items() if backend.startswith(prefix)), None)
    found = None if reader is None else reader()
    if found is None:
        package_dir = nested(tool, "setuptools", "package-dir").get("")
        if backend.startswith("setuptools") and isinstance(package_dir, str):
            found = _discover(folder / package_dir, modules=True)
        elif (folder / "src").is_dir():
            found = _discover(folder / "src", modules=True, own=module)
        else:
            found = _discover(folder, modules=False, own=module)
    return tuple(sorted(set(found)))


def _setuptools(folder: Path, settings: dict[str, Any]) -> list[str] | None:
    packages, modules = settings.get("packages"), strings(settings.get("py-modules"))
    if isinstance(packages, list):
        return _highest(strings(packages)) + modules
    find = table(packages, "find") if isinstance(packages, dict) else None
    if find is None:
        return modules or None
    include = strings(find.get("include")) or ["*"]
    exclude = strings(find.get("exclude"))
    namespaces = find.get("namespaces", True) is not False
    found = [
        dotted
        for where in strings(find.get("where")) or ["."]
        for dotted in _walk(folder / where, "", namespaces=namespaces, every=True)
        if any(fnmatchcase(dotted, pattern) for pattern in include)
        and not any(fnmatchcase(dotted, pattern) for pattern in exclude)
    ]
    return _highest(found) + modules


def _hatchling(folder: Path, tool: dict[str, Any], module: str) -> list[str] | None:
    """``packages``; else ``only-include`` with its ``sources`` prefixes taken off; else
    hatchling's own default: the folder named after the project (at the top, in ``src``
    or in a namespace folder), or a module of that name."""
    wheel = nested(tool, "hatch", "build", "targets", "wheel")
    build = nested(tool, "hatch", "build")
    if wheel.get("bypass-selection", build.get("bypass-selection")) is True:
        return []  # a wheel of metadata alone: a meta package (pydantic-ai's root)
    packages = wheel.get("packages", build.get("packages"))
    if packages is not None:
        return _paths(folder, _last_part(strings(packages)), own=module)
    only = wheel.get("only-include", build.get("only-include"))
    if only is not None:
        sources = wheel.get("sources", build.get("sources", []))
        prefixes = list(sources) if isinstance(sources, dict | list) else []
        entries = []
        for path in strings(only):
            prefix = next((p for p in prefixes if path.startswith(f"{p.rstrip('/')}/")), "")
            entries.append((prefix or ".", path.removeprefix(prefix).strip("/")))
        return _paths(folder, entries, own=module)
    if wheel.get("include", build.get("include")) is not None:
        return None  # file patterns: discovered below
    if any((base / module / "__init__.py").is_file() for base in (folder, folder / "src")):
        return [module]
    if (folder / f"{module}.py").is_file():
        return [module]
    # A folder with a pyproject.toml of its own is another project's, never a namespace.
    namespaced = [
        found
        for found in folder.glob(f"*/{module}/__init__.py")
        if not (found.parent.parent / "pyproject.toml").is_file()
    ]
    if len(namespaced) == 1:
        return [f"{namespaced[0].parent.parent.name}.{module}"]
    return None


def _uv_build(tool: dict[str, Any], module: str) -> list[str] | None:
    """uv_build: ``module-name`` (dotted for a namespace) under ``module-root`` (``src``)."""
    settings = nested(tool, "uv", "build-backend")
    names = settings.get("module-name", module)
    return [names] if isinstance(names, str) else strings(names) or None


def _maturin(folder: Path, tool: dict[str, Any], module: str) -> list[str] | None:
    """maturin: the Python part under ``python-source``, named by ``module-name``'s first
    part (its last part is the compiled extension, inside that package)."""
    settings = nested(tool, "maturin")
    name = settings.get("module-name")
    top = name.split(".")[0] if isinstance(name, str) else module
    source = settings.get("python-source")
    if isinstance(source, str) and (folder / source / top).is_dir():
        return [top]
    return [top] if isinstance(name, str) else None


def _flit(tool: dict[str, Any], name: str) -> list[str]:
    module = nested(tool, "flit", "module").get("name")
    return [module if isinstance(module, str) else name.replace("-", "_")]


def _poetry_packages(tool: dict[str, Any]) -> list[tuple[str, str]] | None:
    """(source root, path below it): poetry keeps the path, so "aetherflow/scheduler"
    from "src" is the import package aetherflow.scheduler."""
    entries = table(tool, "poetry").get("packages")
    if not isinstance(entries, list):
        return None
    return [
        (str(entry.get("from", ".")), entry["include"])
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("include"), str)
    ]


def _last_part(paths: list[str] | None) -> list[tuple[str, str]] | None:
    """hatch and pdm put a listed folder's last part at the top of the wheel."""
    if paths is None:
        return None
    return [(str(Path(text).parent), Path(text).name) for text in paths]


def _paths(folder: Path, entries: list[tuple[str, str]] | None, own: str = "") -> list[str] | None:
    """Import names for (source root, path below it) pairs from hatch, pdm, poetry; ``own``:
    the project's own module name (a folder of that name is one package, see the top)."""
    if not entries:
        return None
    found: list[str] = []
    for root, below in entries:
        if any(char in root + below for char in "*?["):
            continue
        path = folder / root / below
        dotted = below.strip("/").removesuffix(".py").replace("/", ".")
        if path.is_dir():
            walked = _walk(path, dotted, namespaces=True, every=False, skipped=LITTER, own=own)
            found += walked or [dotted]
        elif path.suffix == ".py":
            found.append(dotted)
    return found or None


def _discover(base: Path, *, modules: bool, own: str = "") -> list[str]:
    found = _walk(base, "", namespaces=True, every=False, own=own) if base.is_dir() else []
    if base.is_dir() and (modules or not found):
        found += [
            path.stem
            for path in base.glob("*.py")
            if path.stem.isidentifier() and (modules or path.stem not in NOT_MODULES)
        ]
    return found


def _walk(
    base: Path,
    prefix: str,
    *,
    namespaces: bool,
    every: bool,
    skipped: frozenset[str] = SKIPPED,
    own: str = "",
) -> list[str]:
    """Packages under ``base``: the highest ones, or ``every`` one (subpackages too); a
    folder named in ``skipped`` is none (inside a folder the backend names, only litter
    is: ``opentelemetry/test/`` is a package there); a folder named ``own`` (the project's
    module name) that holds modules is a package with or without ``__init__.py``."""
    if prefix and prefix == own and not every and any(base.glob("*.py")):
        return [prefix]
    if (base / "__init__.py").is_file() and prefix:
        return [prefix, *(_children(base, prefix, namespaces, every, skipped) if every else ())]
    if prefix and not namespaces:
        return []
    if prefix.count(".") >= _MAX_NAMESPACE_DEPTH:
        return []
    return list(_children(base, prefix, namespaces, every, skipped, own))


def _children(
    base: Path, prefix: str, namespaces: bool, every: bool, skipped: frozenset[str], own: str = ""
) -> Iterator[str]:
    for child in sorted(base.iterdir()):
        if (
            child.is_dir()
            and child.name.isidentifier()
            and child.name not in skipped
            and not (child / "pyproject.toml").is_file()  # another project's folder
        ):
            dotted = f"{prefix}.{child.name}" if prefix else child.name
            yield from _walk(
                child, dotted, namespaces=namespaces, every=every, skipped=skipped, own=own
            )


def _highest(names: list[str]) -> list[str]:
    """``names`` without those inside another listed package (``a.b`` goes when ``a`` is in)."""
    listed = set(names)
    return [
        name
        for name in names
        if not any(".".join(name.split(".")[:i]) in listed for i in range(1, name.count(".") + 1))
    ]
