"""The reference pages, generated from the code at every docs build: the gates and their
cases (the gate registry and the suite's modules, read with ``ast``), the
``[tool.pytest-release]`` keys (the settings schema) and the command-line options (the
plugin's ``pytest_addoption``, called with a recorder).

It is also the MkDocs hook that adds those pages to the site (``hooks:`` in mkdocs.yml),
so nothing generated is ever written into the tree. No pytest import: the unit test
``tests/unit/test_reference.py`` calls the renderers directly.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_release import plugin
from pytest_release.checklist import (
    GATE_NAMES,
    GATES,
    HARMLESS_SKIPS,
    UNVERIFIABLE_CHECKS,
    Gate,
    SkipKind,
)
from pytest_release.commands.init import toml_value
from pytest_release.settings import CHANGELOG_KINDS, CHANGELOG_SECTIONS, KEYS, as_written

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

SUITE = Path(plugin.__file__).parent / "suite"
SUITE_PACKAGE = "pytest_release.suite"

# The fixtures a gate case asks for that make it run once per something (session/cases.py).
CASE_FIXTURES = {
    "release_package": "per package in the release",
    "repo_package": "per package of the repository",
    "smoke_command": "per `smoke` command",
    "boundary_module": "per `public-api` module",
}


# ---------------------------------------------------------------- gates and their cases


@dataclass(frozen=True)
class Case:
    """One test function of a gate, as its module defines it."""

    name: str
    doc: str
    runs: tuple[str, ...]  # "per package in the release", "per index: testpypi, pypi"


@dataclass(frozen=True)
class GateModule:
    gate: Gate
    module: str  # the suite module's file name
    cases: tuple[Case, ...] = field(default=())


def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _marker_name(element: ast.expr) -> str | None:
    """``NAME`` of ``pytest.mark.NAME``, or of ``getattr(pytest.mark, "NAME")`` (a name with
    a dash, such as ``github-release``)."""
    if isinstance(element, ast.Attribute):
        return element.attr
    if (
        isinstance(element, ast.Call)
        and isinstance(element.func, ast.Name)
        and element.func.id == "getattr"
        and len(element.args) == 2
        and isinstance(name := element.args[1], ast.Constant)
        and isinstance(name.value, str)
    ):
        return name.value
    return None


def _module_markers(tree: ast.Module) -> list[str]:
    """The marker names of a module's ``pytestmark`` list."""
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
            and isinstance(node.value, ast.List)
        ):
            return [name for each in node.value.elts if (name := _marker_name(each)) is not None]
    return []


def _parametrized(function: ast.FunctionDef) -> Iterator[str]:
    """``per index: testpypi, pypi`` for each ``@pytest.mark.parametrize("index", [...])``."""
    for decorator in function.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "parametrize"
            and len(decorator.args) == 2
        ):
            argnames, values = (ast.literal_eval(argument) for argument in decorator.args)
            yield f"per {argnames}: " + ", ".join(str(value) for value in values)


def _case(name: str, function: ast.FunctionDef) -> Case:
    asked = [argument.arg for argument in function.args.args]
    runs = [CASE_FIXTURES[each] for each in asked if each in CASE_FIXTURES]
    runs.extend(_parametrized(function))
    # A case without a docstring is named as a sentence: its name says what it checks.
    said = name.removeprefix("test_").replace("_", " ").capitalize() + "."
    doc = inspect.cleandoc(ast.get_docstring(function) or said)
    return Case(name, " ".join(doc.split()), tuple(runs))


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _imported_modules(tree: ast.Module) -> dict[str, str]:
    """``cases`` -> ``installed_release_cases``: ``from pytest_release.suite import ... as``."""
    return {
        alias.asname or alias.name: alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == SUITE_PACKAGE
        for alias in node.names
    }


def _cases(tree: ast.Module) -> Iterator[Case]:
    """A gate module's cases in definition order: its ``def test_*`` and its
    ``test_* = module.function`` (a case defined once for two gates)."""
    shared = _imported_modules(tree)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            yield _case(node.name, node)
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(target := node.targets[0], ast.Name)
            and target.id.startswith("test_")
            and isinstance(value := node.value, ast.Attribute)
            and isinstance(value.value, ast.Name)
            and value.value.id in shared
        ):
            defining = _functions(_parsed(SUITE / f"{shared[value.value.id]}.py"))
            yield _case(target.id, defining[value.attr])


def gate_modules() -> list[GateModule]:
    """Every gate of the registry with its suite module and cases, in checklist order.
    A gate without a module, or a module without a gate, is an error."""
    found: dict[str, GateModule] = {}
    for path in sorted(SUITE.glob("test_*.py")):
        tree = _parsed(path)
        gates = [name for name in _module_markers(tree) if name in GATE_NAMES]
        if len(gates) != 1:
            raise LookupError(f"{path.name} is marked with {gates}, not with one gate")
        (name,) = gates
        found[name] = GateModule(GATES[GATE_NAMES.index(name)], path.name, tuple(_cases(tree)))
    if missing := [gate.name for gate in GATES if gate.name not in found]:
        raise LookupError(f"gates without a module in {SUITE}: {missing}")
    return [found[gate.name] for gate in GATES]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


# What each kind of skip means, by its value; whether it blocks a publish is the registry's to say.
SKIP_MEANINGS: dict[str, str] = {
    "unverified": "a check could not be made (the CI state, the upstream)",
    "nothing-to-check": "the configuration gives the case nothing to do (no `smoke` "
    "commands, no `public-api`, a first release)",
    "not-in-this-release": "a package this release leaves alone (independent versioning)",
    "not-selected": "a publish case of a run that does not publish",
    "blocked": "the case needs something that did not pass (a failed install, no wheel)",
    "proven-by-bundle": "passed in the build job: the release bundle's manifest records "
    "it for this commit",
}


def _blocks(kind: SkipKind) -> str:
    if kind is SkipKind.UNVERIFIED:
        return "yes, unless waived with `--allow-unverified CHECK`"
    if kind is SkipKind.NOT_SELECTED:
        return "(publish cases only)"
    return "no" if kind in HARMLESS_SKIPS else "yes"


def render_skip_kinds() -> list[str]:
    lines = [
        "## Skip kinds",
        "",
        "Every skip a gate raises carries its kind as data; the publish guard decides by it, "
        "and JUnit shows it as the property `release_skip`. A skip without a kind (a plain "
        "`pytest.skip` in a gate of your own) blocks a publish like an unverified check.",
        "",
        "| kind | meaning | blocks a publish |",
        "|---|---|---|",
    ]
    for kind in SkipKind:
        meaning = SKIP_MEANINGS.get(kind.value, "")  # tests/unit/test_reference.py asks for one
        lines.append(f"| `{kind.value}` | {_cell(meaning)} | {_blocks(kind)} |")
    return [*lines, ""]


def render_gates() -> str:
    lines = [
        "# Gates",
        "",
        "Generated from the gate registry (`pytest_release/checklist.py`) and the suite's "
        "modules (`pytest_release/suite/`). Each gate is a marker: `-m NAME` selects it. "
        "Cases run in this order; a case marked *per package* runs once per package in "
        "publish order, with the package's name as its id. "
        "How each gate decides is told in [the gates in detail](../gates.md).",
        "",
    ]
    for each in gate_modules():
        gate = each.gate
        opt_in = " (opt-in: `-m publish`)" if gate.publish else ""
        lines += [
            f"## {gate.step} `{gate.name}`{opt_in}",
            "",
            f"Checklist line: *{gate.checklist}*. Module: `release_tests/{each.module}`.",
            "",
            "| case | runs | checks |",
            "|---|---|---|",
        ]
        for case in each.cases:
            runs = "; ".join(case.runs) or "once"
            lines.append(f"| `{case.name}` | {_cell(runs)} | {_cell(case.doc)} |")
        lines.append("")
    return "\n".join([*lines, *render_skip_kinds()])


# ------------------------------------------------------------------ [tool.pytest-release]

# What each key is for: the schema holds types and defaults, these words hold the purpose.
MEANINGS: dict[str, str] = {
    "packages": "package folders or globs, in any order (a glob skips folders without a "
    "pyproject.toml; a named folder without one is an error)",
    "branch": "the release branch",
    "changelog": 'the changelog\'s path; `"{folder}/CHANGELOG.md"` (or `{name}`) for one per '
    "package; `false` when the release notes are kept elsewhere",
    "changelog-sections": "the changelog's subsection titles and the kind of change each holds. "
    "Without the key, a project with `[tool.towncrier]` gets the titles of its "
    "`[[tool.towncrier.type]]` entries (kinds by their directory: `breaking`, `feature`, "
    "`bugfix`, `deprecation`, `removal`, ...; others are changes)",
    "tag": "the tag format, with `{version}` and optionally `{name}` "
    '(`"{name}-v{version}"` for a tag per package)',
    "tags": "a package's own tag format, e.g. "
    '`{ langgraph-checkpoint = "checkpoint=={version}" }`',
    "versioning": "`lockstep`: every package at one version; `independent`: each package its "
    "own, a package unchanged since its last tag left out of the release",
    "unbumped-changes": "independent versioning: a package changed since its last tag but "
    "not bumped fails the versions gate (`fail`), or is left out of this release for a "
    "later one (`leave-out`, for repositories that release one package at a time)",
    "version-scheme": "`semver` (strict `1.2.3`, `1.2.3rc1`); `pep440` (any public version PyPI "
    "takes: `0.65b0`, `2026.1`, `1.45.0.dev0`; bump sizes read the first three release parts); "
    "`calver` (as pep440, but the version says no bump size: the api gate asks for no major "
    "release, and the changelog owes breaking changes and migration notes for the API's "
    "breaks only)",
    "public-api": "modules whose API is the public boundary (none: the api gate skips)",
    "strict-zero": "on 0.y.z, a breaking change needs a major bump too",
    "test-command": "the repository's own test suite, run from its root (from each package's "
    'folder with `test-env = "per-package"`)',
    "test-env": "`fresh`: a new venv with every package editable, its test extras, "
    "`test-groups` and test requirements files; `per-package`: the command run from each "
    "package's folder with tests, each in a fresh venv of its own with every package editable "
    "and that package's own test requirements (`{name}`, `{folder}` name it); `current`: the "
    "environment running the gates",
    "test-groups": "PEP 735 `[dependency-groups]` installed into the fresh test venv, from each "
    "package's pyproject.toml and the root's",
    "smoke": "CLI smoke commands, run from the repository root",
    "smoke-timeout": "seconds a smoke command may run before it counts as hung",
    "python-smoke": "Python statements run in the venvs the release is installed into",
    "rehearsal-together": "the top packages must install together: the rehearsal and testpypi "
    "gates install them all into one venv (a conflict fails) instead of one venv per top package",
    "testpypi": "the index a publish run uploads to first: a `~/.pypirc` repository, an upload "
    "URL, or `local`",
    "pypi": "the production index: a `~/.pypirc` repository, an upload URL, or `local`",
    "github-release-files": "attach the release's files (those on the production index) to "
    "its GitHub release",
    "build-cache": "reuse built files kept in the user's cache folder when nothing they were "
    "built from changed (verified again before use)",
}

# Defaults the schema leaves to the reading of the repository (default None).
COMPUTED_DEFAULTS: dict[str, str] = {
    "packages": "the uv workspace's `members` less `exclude` (a virtual root is no package); "
    "else `packages/*`; else the root project",
}


def _choices(validate: Callable[..., Any]) -> str:
    choices = inspect.getclosurevars(validate).nonlocals["choices"]
    return "one of " + ", ".join(f"`{toml_value(choice)}`" for choice in choices)


def _presets_or_table(validate: Callable[..., Any]) -> str:
    presets = ", ".join(f"`{toml_value(name)}`" for name in CHANGELOG_SECTIONS)
    return f"{presets}, or a table of title = kind ({', '.join(CHANGELOG_KINDS)})"


# The type a validator of settings.py accepts, by the validator's name.
VALIDATOR_TYPES: dict[str, Callable[[Callable[..., Any]], str]] = {
    "_text": lambda _: "string",
    "_texts": lambda _: "list of strings",
    "_nonempty_texts": lambda _: "non-empty list of strings",
    "_seconds": lambda _: "positive number (seconds)",
    "_flag": lambda _: "boolean",
    "_command": lambda _: "string (split as a shell would) or list of strings",
    "_tag_format": lambda _: "string with `{version}`, optionally `{name}`",
    "_tag_formats": lambda _: "table of package name = tag format",
    "_changelog": lambda _: "path (may use `{folder}`, `{name}`) or `false`",
    "_changelog_sections": _presets_or_table,
    "check": _choices,  # made by _choice(...)
}


def key_type(key: str) -> str:
    validate = KEYS[key][0]
    describe = VALIDATOR_TYPES.get(validate.__name__)
    if describe is None:
        raise LookupError(
            f"key {key!r}: no type description for its validator {validate.__qualname__}; "
            "add one to VALIDATOR_TYPES in docs/reference_pages.py"
        )
    return describe(validate)


def key_default(key: str) -> str:
    default = KEYS[key][1]
    if default is None:
        return COMPUTED_DEFAULTS[key]
    return f"`{toml_value(as_written(key, default))}`"


def render_settings() -> str:
    twins = {option.dest: option for option in recorded_options()}
    lines = [
        "# Configuration keys",
        "",
        "Generated from the settings schema (`pytest_release/settings.py`). Every key is "
        "optional, in the `[tool.pytest-release]` table of the root `pyproject.toml` of the "
        "repository you release. The command line wins over the file, the file over the "
        "defaults; an unknown key or a bad value is a usage error naming the key and the file. "
        "The session's report lines (after *collected N items*) say where each setting "
        "came from.",
        "",
        "| key | type | default | command line | meaning |",
        "|---|---|---|---|---|",
    ]
    for key in KEYS:
        twin = twins.get("release_" + key.replace("-", "_"))
        option = f"`{twin.names[0]}`" if twin else ""
        meaning = MEANINGS.get(key, "")  # tests/unit/test_reference.py asks for one
        lines.append(
            f"| `{key}` | {_cell(key_type(key))} | {_cell(key_default(key))} | {option} "
            f"| {_cell(meaning)} |"
        )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ command-line options


@dataclass(frozen=True)
class Option:
    names: tuple[str, ...]
    dest: str
    help: str
    metavar: str | None = None
    action: str | None = None


@dataclass
class OptionGroup:
    """Records what ``group.addoption`` is given, as pytest's option group takes it."""

    name: str
    description: str
    options: list[Option] = field(default_factory=list)

    def addoption(self, *names: str, **attrs: Any) -> None:
        self.options.append(
            Option(names, attrs["dest"], attrs["help"], attrs.get("metavar"), attrs.get("action"))
        )


@dataclass
class OptionRecorder:
    """Stands for ``pytest.Parser`` in a call of the plugin's ``pytest_addoption``."""

    groups: list[OptionGroup] = field(default_factory=list)

    def getgroup(self, name: str, description: str = "", after: str | None = None) -> OptionGroup:
        group = OptionGroup(name, description)
        self.groups.append(group)
        return group


def recorded_options() -> list[Option]:
    """The plugin's options, by a call of its own ``pytest_addoption``."""
    recorder = OptionRecorder()
    add_options: Callable[[Any], None] = plugin.pytest_addoption
    add_options(recorder)
    return [option for group in recorder.groups for option in group.options]


def render_options() -> str:
    lines = [
        "# Command-line options",
        "",
        "Generated from the plugin's option definitions (`pytest_addoption` in "
        '`pytest_release/plugin.py`): group "release" of `pytest --help`. Each one also works '
        "in `PYTEST_ADDOPTS`. Checks `--allow-unverified` may waive: "
        + ", ".join(f"`{name}` ({why})" for name, why in UNVERIFIABLE_CHECKS.items())
        + ".",
        "",
        "| option | meaning |",
        "|---|---|",
    ]
    for option in recorded_options():
        spelled = ", ".join(
            f"{name}={option.metavar}" if option.metavar else name for name in option.names
        )
        lines.append(f"| `{spelled}` | {_cell(option.help)} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------- the MkDocs hook

PAGES: dict[str, Callable[[], str]] = {
    "reference/gates.md": render_gates,
    "reference/configuration.md": render_settings,
    "reference/options.md": render_options,
}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated reference pages to the site (MkDocs ``on_files`` event)."""
    from mkdocs.structure.files import File

    for uri, render in PAGES.items():
        files.append(File.generated(config, uri, content=render()))
    return files
