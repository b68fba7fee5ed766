"""The public API difference: small packages written to tmp_path at a "release" and at
"HEAD", read statically with griffe, each change classified as breaking or additive."""

from __future__ import annotations

import textwrap
from pathlib import Path

import griffe
import pytest

from pytest_release.api.collection import load_tree, see_namespace_folders
from pytest_release.api.difference import ApiDifference, api_difference
from pytest_release.api.source import package_paths
from pytest_release.problems import Problem

BOUNDARY = "pkg.api"
SRC = Path("src")
Files = dict[str, str]


def write(root: Path, files: Files) -> Path:
    """``files`` (path below src/pkg -> source) as the package pkg, with its __init__.py."""
    for relative, text in {"__init__.py": "", **files}.items():
        path = root / SRC / "pkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root.resolve()


def load_module(name: str, root: Path, tops: tuple[str, ...] = ("pkg",)) -> griffe.Module | None:
    """The module ``name`` of the packages ``tops`` in root's src/, read into one collection."""
    found = load_tree(root, [SRC], tops, "at HEAD").module(name)
    assert not isinstance(found, Problem), found
    return found


def compare(tmp_path: Path, old: Files | None, new: Files) -> ApiDifference:
    old_root = write(tmp_path / "old", old) if old is not None else (tmp_path / "old").resolve()
    new_root = write(tmp_path / "new", new)
    old_module = load_module(BOUNDARY, old_root) if old is not None else None
    new_module = load_module(BOUNDARY, new_root)
    assert new_module is not None
    return api_difference(
        old_module, new_module, since="v1.0.0", internal={"pkg"}, roots=(old_root, new_root)
    )


def changes(difference: ApiDifference) -> list[tuple[str, str, str]]:
    return [(change.level, change.name, change.what) for change in difference.changes]


FUNCTIONS = """
__all__ = ["run", "stop"]
def run(flow: str, strict: bool = False) -> int: ...
def stop() -> None: ...
"""
CLASS = """
class Flow:
    size: int = 1
    def __init__(self, name: str) -> None: ...
    def run(self, strict: bool = False) -> None: ...
    def _cache(self) -> None: ...
"""
IMPL = "def helper(x: int) -> int: ...\n"
NO_ALL = """
import os
from os.path import join
from pkg._impl import helper
def run(flow: str) -> int: ...
def _private() -> None: ...
"""


def edited(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} not in the snippet"
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            {"api.py": FUNCTIONS},
            {"api.py": edited(FUNCTIONS, "def stop() -> None: ...\n", "")},
            [("breaking", "stop", "removed")],
            id="removed-function",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {"api.py": edited(FUNCTIONS, ", strict: bool = False", "")},
            [("breaking", "run", "parameter `strict` was removed (or renamed)")],
            id="removed-parameter",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {"api.py": edited(FUNCTIONS, "run(flow: str", "run(path: str")},
            [
                ("breaking", "run", "parameter `flow` was removed (or renamed)"),
                ("breaking", "run", "new required parameter `path`"),
            ],
            id="renamed-parameter",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {"api.py": edited(FUNCTIONS, "def stop()", "def stop(force: bool)")},
            [("breaking", "stop", "new required parameter `force`")],
            id="new-required-parameter",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {"api.py": edited(FUNCTIONS, "strict: bool = False", "strict: bool")},
            [("breaking", "run", "parameter `strict` became required")],
            id="parameter-made-required",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {
                "api.py": edited(
                    FUNCTIONS,
                    "flow: str, strict: bool = False",
                    "strict: bool = False, flow: str = ''",
                )
            },
            [
                (
                    "breaking",
                    "run",
                    "positional parameter `flow` moved (position: from 0 to 1 (+1))",
                ),
                (
                    "breaking",
                    "run",
                    "positional parameter `strict` moved (position: from 1 to 0 (-1))",
                ),
            ],
            id="positional-parameter-moved",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {"api.py": edited(FUNCTIONS, "strict: bool = False", "strict: bool = True")},
            [("breaking", "run", "the default of `strict` changed from False to True")],
            id="changed-default",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {"api.py": edited(FUNCTIONS, "strict: bool = False", "*, strict: bool = False")},
            [
                (
                    "breaking",
                    "run",
                    "parameter `strict` changed from positional or keyword to keyword-only",
                )
            ],
            id="made-keyword-only",
        ),
        pytest.param(
            {"api.py": CLASS},
            {"api.py": edited(CLASS, "    def run(self, strict: bool = False) -> None: ...\n", "")},
            [("breaking", "Flow.run", "removed")],
            id="removed-method",
        ),
        pytest.param(
            {"api.py": CLASS},
            {"api.py": edited(CLASS, "    size: int = 1\n", "")},
            [("breaking", "Flow.size", "removed")],
            id="removed-class-attribute",
        ),
        pytest.param(
            {"api.py": CLASS},
            {"api.py": edited(CLASS, "name: str)", "name: str, owner: str)")},
            [("breaking", "Flow.__init__", "new required parameter `owner`")],
            id="constructor-parameter",
        ),
        pytest.param(
            {"api.py": '__all__ = ["helper"]\nfrom pkg._impl import helper\n', "_impl.py": IMPL},
            {"api.py": "__all__ = []\n", "_impl.py": IMPL},
            [
                (
                    "breaking",
                    "helper",
                    "moved out of pkg.api to pkg._impl (src/pkg/_impl.py, line 1)",
                )
            ],
            id="re-export-dropped",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {"api.py": edited(FUNCTIONS, ', "stop"', "")},
            [("breaking", "stop", "no longer public (not listed in `__all__`)")],
            id="dropped-from-all",
        ),
        pytest.param(
            {"api.py": '__all__ = ["_hook"]\ndef _hook() -> None: ...\n'},
            {"api.py": "__all__ = []\n"},
            [("breaking", "_hook", "removed")],
            id="underscore-name-in-all",
        ),
        pytest.param(
            {"api.py": NO_ALL, "_impl.py": IMPL},
            {"api.py": edited(NO_ALL, "from pkg._impl import helper\n", ""), "_impl.py": IMPL},
            [
                (
                    "breaking",
                    "helper",
                    "moved out of pkg.api to pkg._impl (src/pkg/_impl.py, line 1)",
                )
            ],
            id="no-all-internal-re-export-dropped",
        ),
        pytest.param(
            {"api.py": NO_ALL, "_impl.py": IMPL},
            {
                "api.py": edited(NO_ALL, "import os\nfrom os.path import join\n", ""),
                "_impl.py": IMPL,
            },
            [],
            id="no-all-imports-of-other-projects-are-not-api",
        ),
        pytest.param(
            {"api.py": NO_ALL, "_impl.py": IMPL},
            {"api.py": edited(NO_ALL, "def _private() -> None: ...\n", ""), "_impl.py": IMPL},
            [],
            id="no-all-underscore-names-are-not-api",
        ),
        pytest.param(
            {"api.py": NO_ALL, "_impl.py": IMPL},
            {"api.py": NO_ALL, "_impl.py": "def helper(x: int, y: int) -> int: ...\n"},
            [("breaking", "helper", "new required parameter `y`")],
            id="re-exported-signature-changed",
        ),
        pytest.param(
            {
                "api.py": '__all__ = ["step"]\nfrom pkg.ns.impl import step\n',
                "ns/impl.py": IMPL.replace("helper", "step"),
            },
            {
                "api.py": '__all__ = ["step"]\nfrom pkg.ns.impl import step\n',
                "ns/impl.py": "def step() -> int: ...\n",
            },
            [("breaking", "step", "parameter `x` was removed (or renamed)")],
            id="namespace-sub-folder",
        ),
        pytest.param(
            {"api.py": '__all__ = ["helper"]\nfrom pkg._impl import helper\n', "_impl.py": IMPL},
            {"api.py": '__all__ = ["helper"]\n' + IMPL},
            [],
            id="re-export-replaced-by-the-same-definition",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {
                "api.py": edited(FUNCTIONS, '"stop"]', '"stop", "pause"]')
                + "def pause() -> None: ...\n"
            },
            [("additive", "pause", "new public name")],
            id="new-public-function",
        ),
        pytest.param(
            {"api.py": FUNCTIONS},
            {"api.py": edited(FUNCTIONS, "def stop()", "def stop(*, force: bool = False)")},
            [("additive", "stop", "new optional parameter `force`")],
            id="new-optional-parameter",
        ),
        pytest.param(
            {"api.py": CLASS},
            {
                "api.py": CLASS
                + "    def pause(self) -> None: ...\n    def __repr__(self) -> str: ...\n"
            },
            [("additive", "Flow.pause", "new public member")],
            id="new-method",
        ),
        pytest.param(
            {"api.py": NO_ALL, "_impl.py": IMPL},
            {
                "api.py": edited(NO_ALL, "-> int: ...", "-> int:\n    return 1"),
                "_impl.py": IMPL + "def other() -> None: ...\n",
            },
            [],
            id="internal-only-change",
        ),
        pytest.param(
            {"api.py": CLASS},
            {"api.py": edited(CLASS, "def _cache(self)", "def _cache(self, key: str)")},
            [],
            id="private-method-changed",
        ),
    ],
)
def test_each_change_is_classified(
    tmp_path: Path, old: Files, new: Files, expected: list[tuple[str, str, str]]
) -> None:
    assert changes(compare(tmp_path, old, new)) == expected


def test_a_break_names_its_file_line_and_both_signatures(tmp_path: Path) -> None:
    old = {"api.py": FUNCTIONS}
    difference = compare(
        tmp_path, old, {"api.py": edited(FUNCTIONS, "def stop()", "\n\ndef stop(force: bool)")}
    )

    (change,) = difference.breaking
    assert change.where == "src/pkg/api.py, line 5"
    assert (change.old, change.new) == ("stop() -> None", "stop(force: bool) -> None")
    assert difference.level == "breaking"
    assert difference.report() == (
        "pkg.api since v1.0.0: 1 breaking\n"
        "breaking:\n"
        "  stop: new required parameter `force` (src/pkg/api.py, line 5)\n"
        "    before: stop() -> None\n"
        "    now:    stop(force: bool) -> None"
    )


def test_a_removal_is_located_in_the_release(tmp_path: Path) -> None:
    difference = compare(tmp_path, {"api.py": FUNCTIONS}, {"api.py": '__all__ = ["run"]\n'})

    assert [(c.name, c.where, c.old, c.new) for c in difference.breaking] == [
        (
            "run",
            "src/pkg/api.py, line 2 at v1.0.0",
            "run(flow: str, strict: bool = False) -> int",
            None,
        ),
        ("stop", "src/pkg/api.py, line 3 at v1.0.0", "stop() -> None", None),
    ]


def test_a_module_new_since_the_release_adds_every_name(tmp_path: Path) -> None:
    difference = compare(tmp_path, None, {"api.py": FUNCTIONS})

    assert changes(difference) == [
        ("additive", "run", "new public name"),
        ("additive", "stop", "new public name"),
    ]
    assert difference.summary() == "pkg.api since v1.0.0: 2 additive"


def test_a_re_export_that_cannot_be_resolved_is_not_compared(tmp_path: Path) -> None:
    """A name another project defines, or one its module lacks: reported, never a crash."""
    api = '__all__ = ["Thing", "gone"]\nfrom yaml import Thing\nfrom pkg._impl import gone\n'
    difference = compare(
        tmp_path, {"api.py": api, "_impl.py": IMPL}, {"api.py": api, "_impl.py": IMPL}
    )

    assert difference.changes == ()
    assert difference.not_compared == (
        "Thing: yaml.Thing is not among the loaded modules",
        "Thing: yaml.Thing is not among the loaded modules",
        "gone: pkg._impl.gone is not among the loaded modules",
        "gone: pkg._impl.gone is not among the loaded modules",
    )


def test_a_module_that_is_not_there_is_none_and_one_that_does_not_parse_says_why(
    tmp_path: Path,
) -> None:
    root = write(tmp_path / "tree", {"api.py": "def run(:\n"})

    tree = load_tree(root, [SRC], ["pkg"], "at v1.0.0")

    assert tree.module("pkg.other") is None
    assert tree.module(BOUNDARY) == Problem(
        "pkg.api at v1.0.0 cannot be read: line 1: invalid syntax",
        "src/pkg/api.py at v1.0.0",
        "fix the module so that Python can parse it",
    )


def test_namespace_folders_get_an_init_unless_a_module_shadows_them(tmp_path: Path) -> None:
    """Below a regular package only: pkg/ns/ is a namespace portion Python imports, but
    pkg/shadowed/ loses to pkg/shadowed.py, and top/ is a real namespace package."""
    for name in (
        "pkg/__init__.py",
        "pkg/ns/deep/m.py",
        "pkg/shadowed.py",
        "pkg/shadowed/m.py",
        "top/m.py",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")

    see_namespace_folders(tmp_path)

    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("__init__.py")) == [
        "pkg/__init__.py",
        "pkg/ns/__init__.py",
        "pkg/ns/deep/__init__.py",
    ]


def test_packages_load_into_one_collection_so_re_exports_between_them_resolve(
    tmp_path: Path,
) -> None:
    for name, text in {
        "src/pkg/__init__.py": "",
        "src/pkg/api.py": '__all__ = ["Tool"]\nfrom other.tools import Tool\n',
        "src/other/__init__.py": "from pkg.api import Tool\n",
        "src/other/tools.py": "class Tool:\n    def __init__(self, size: int) -> None: ...\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")

    module = load_module(BOUNDARY, tmp_path.resolve(), ("pkg", "other"))

    assert module is not None
    assert module["Tool"].final_target.path == "other.tools.Tool"


def test_an_import_a_stub_needs_and_griffe_cannot_follow_is_the_package_s_problem(
    tmp_path: Path,
) -> None:
    stub = "from typing import overload\n@overload\ndef f(x: int) -> int: ...\n"
    stub += "@overload\ndef f(x: str) -> str: ...\n"
    for name, text in {"__init__.py": "from paint import f\n", "__init__.pyi": stub}.items():
        (tmp_path / SRC / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / SRC / "pkg" / name).write_text(text, encoding="utf-8")

    tree = load_tree(tmp_path.resolve(), [SRC], ["pkg"], "at v1.0.0")

    problem = tree.module(BOUNDARY)
    assert isinstance(problem, Problem)
    assert problem.where == "src/pkg/__init__.py, line 1 at v1.0.0"
    assert problem.what == (
        "pkg at v1.0.0 cannot be read: griffe must follow the import of `f` from paint.f to "
        "read it, and no package of this repository holds paint"
    )


EXCEPTION = """
class Failed(Exception):
    def __init__(self, message: str) -> None:
        {body}
        self.message = message
"""


def test_an_exception_s_args_set_by_its_builtin_base_is_no_removal(tmp_path: Path) -> None:
    old = {"api.py": EXCEPTION.format(body="self.args = (message,)")}
    new = {"api.py": EXCEPTION.format(body="super().__init__(message)")}

    assert changes(compare(tmp_path, old, new)) == []


def test_package_paths_name_each_import_package_and_the_inits_above_it() -> None:
    assert package_paths([Path("a/src")], ["ns.core"]) == [
        "a/src/ns/core",
        "a/src/ns/core.py",
        "a/src/ns/core.pyi",
        "a/src/ns/__init__.py",
        "a/src/ns/__init__.pyi",
    ]


def test_a_tree_loads_the_needed_packages_and_what_they_import_from_only(tmp_path: Path) -> None:
    """pkg re-exports from core (loaded, so the re-export resolves), core imports util
    (loaded in turn); app and examples import pkg but nothing needed imports them."""
    sources = {
        "pkg/__init__.py": "",
        "pkg/api.py": "from core.model import Model\n__all__ = ['Model']\n",
        "core/__init__.py": "",
        "core/model.py": "from util import helper\nclass Model: ...\n",
        "util.py": "def helper() -> None: ...\n",
        "app/__init__.py": "import pkg.api\n",
        "examples/__init__.py": "from pkg.api import Model\n",
    }
    for relative, text in sources.items():
        path = tmp_path / SRC / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    tops = ["app", "core", "examples", "pkg", "util"]

    tree = load_tree(tmp_path.resolve(), [SRC], tops, "at HEAD", needed=[BOUNDARY])

    assert sorted(tree.collection.members) == ["core", "pkg", "util"]
    module = tree.module(BOUNDARY)
    assert isinstance(module, griffe.Module)
    assert module["Model"].final_target.path == "core.model.Model"
    everything = load_tree(tmp_path.resolve(), [SRC], tops, "at HEAD")
    assert sorted(everything.collection.members) == tops
