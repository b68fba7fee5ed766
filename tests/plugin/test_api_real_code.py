"""Gate 1b, api, on code as real repositories write it: packages that re-export from each
other (read in one collection), exception classes whose attributes move into ``__init__``
(through ``super().__init__``), an import griffe cannot follow (the module's own problem,
no traceback, the changelog gate untouched), and packages tagged in forms of their own
(each compared with its own last release)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugin.baseline import API_CASE, assert_no_traceback, assert_says
from tests.plugin.defects import BREAKING, CONFIG, commit, replace
from tests.plugin.gate_runs import GateRun, GateRunner
from tests.plugin.repos import PREVIOUS_VERSION, VERSION, ReleaseRepo, make_release_repo

CORE_API = "ink_core.api"
SHAPES = "ink_shapes"
CORE = "packages/ink-core/src/ink_core"
SHAPES_SOURCE = "packages/ink-shapes/src/ink_shapes"
API_ONLY = ("-m", "api")
BACKEND = '[build-system]\nrequires = ["hatchling>=1.24"]\nbuild-backend = "hatchling.build"\n'

ERRORS = '''\
class InkError(Exception):
    """An error of ink, with a message and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        self.args = (message,)
        self.message = message
        self.code = code


class ShapeError(InkError):
    kind = "shape"
'''
# The same classes as many projects come to write them: the base's attributes set by
# Exception.__init__ and by InkError.__init__, the subclass's attribute moved into __init__.
ERRORS_AT_HEAD = '''\
class InkError(Exception):
    """An error of ink, with a message and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ShapeError(InkError):
    def __init__(self, message: str, kind: str = "shape") -> None:
        super().__init__(message, code=2)
        self.kind = kind
'''
CIRCLE_ERROR = """\
from ink_core.errors import InkError


class CircleError(InkError):
    def __init__(self, message: str) -> None:
        self.args = (message,)
        self.message = message
        self.code = 3
"""
CIRCLE_ERROR_AT_HEAD = """\
from ink_core.errors import InkError


class CircleError(InkError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code=3)
"""


def _package(name: str, dependencies: str, files: dict[str, str]) -> dict[str, str]:
    module = name.replace("-", "_")
    pyproject = (
        f'{BACKEND}\n[project]\nname = "{name}"\nversion = "{VERSION}"\n'
        f'requires-python = ">=3.10"\ndependencies = [{dependencies}]\n\n'
        f'[tool.hatch.build.targets.wheel]\npackages = ["src/{module}"]\n'
    )
    return {
        f"packages/{name}/pyproject.toml": pyproject,
        f"packages/{name}/src/{module}/__init__.py": f'__version__ = "{VERSION}"\n',
        **{f"packages/{name}/src/{module}/{path}": text for path, text in files.items()},
    }


def ink_tree(destination: Path) -> Path:
    """Two packages that re-export from each other: ink_core.api offers ink_shapes' Circle,
    ink_shapes offers ink_core's Shape and its own CircleError (an InkError)."""
    files = {
        "pyproject.toml": '[tool.pytest-release]\npackages = ["packages/*"]\n'
        'tag = "v{version}"\nversioning = "lockstep"\n'
        f'public-api = ["{CORE_API}", "{SHAPES}"]\n',
        "CHANGELOG.md": f"# Changelog\n\n## [{VERSION}] - 2026-11-20\n\n### Added\n- Ink.\n",
        ".gitignore": "__pycache__/\n",
        **_package(
            "ink-core",
            "",
            {
                "base.py": "class Shape:\n    def area(self) -> float:\n        return 0.0\n",
                "errors.py": ERRORS,
                "api.py": "from ink_core.base import Shape\nfrom ink_core.errors import "
                "InkError, ShapeError\nfrom ink_shapes.circle import Circle\n\n"
                '__all__ = ["Circle", "InkError", "Shape", "ShapeError"]\n',
            },
        ),
        **_package(
            "ink-shapes",
            '"ink-core>=0.2,<0.3"',
            {
                "circle.py": "from ink_core.base import Shape\n\n\nclass Circle(Shape):\n"
                "    def __init__(self, radius: float) -> None:\n        self.radius = radius\n",
                "errors.py": CIRCLE_ERROR,
            },
        ),
    }
    files[f"packages/ink-shapes/src/{SHAPES}/__init__.py"] += (
        "from ink_core.base import Shape\nfrom ink_shapes.circle import Circle\n"
        'from ink_shapes.errors import CircleError\n\n__all__ = ["Circle", "CircleError", '
        '"Shape"]\n'
    )
    root = destination / "ink"
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def ink_repo(tmp_path: Path) -> ReleaseRepo:
    return make_release_repo(ink_tree(tmp_path / "tree"), tmp_path / "work")


def case(module: str) -> str:
    return f"{API_CASE}[{module}]"


def run_api_gate(run_gates: GateRunner, repo: ReleaseRepo, *args: str) -> GateRun:
    return run_gates(repo.root, *API_ONLY, "--release-version", f"{PREVIOUS_VERSION[:-1]}1", *args)


def test_packages_that_re_export_from_each_other_are_read_together(
    ink_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """A patch release: no change passes; Circle, defined in ink_shapes and offered by
    ink_core.api, gaining a required parameter is ink_core.api's break too."""
    run = run_api_gate(run_gates, ink_repo)
    assert run.outcomes() == {case(CORE_API): "passed", case(SHAPES): "passed"}, run.output

    replace(ink_repo, f"{SHAPES_SOURCE}/circle.py", "radius: float)", "radius: float, ink: str)")
    commit(ink_repo, "Circles need ink")
    run = run_api_gate(run_gates, ink_repo)

    assert run.outcomes() == {case(CORE_API): "failed", case(SHAPES): "failed"}, run.output
    assert_says(run, case(CORE_API), f"{CORE_API}.Circle.__init__: new required parameter `ink`")
    assert_says(run, case(SHAPES), f"{SHAPES}.Circle.__init__: new required parameter `ink`")
    assert_no_traceback(run)


def test_attributes_that_move_into_init_are_no_break(
    ink_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """args set by Exception.__init__, message and code by InkError's (in another package),
    kind moved from the class into __init__: every attribute is still there."""
    replace(ink_repo, f"{CORE}/errors.py", ERRORS, ERRORS_AT_HEAD)
    replace(ink_repo, f"{SHAPES_SOURCE}/errors.py", CIRCLE_ERROR, CIRCLE_ERROR_AT_HEAD)
    commit(ink_repo, "Errors through super().__init__")

    run = run_api_gate(run_gates, ink_repo)

    assert run.outcomes() == {case(CORE_API): "failed", case(SHAPES): "passed"}, run.output
    message = run.message(case(CORE_API))
    assert "ShapeError.__init__: " in message  # a new optional parameter: a minor release
    assert "removed" not in message, message
    assert_no_traceback(run)


# An import griffe cannot follow ---------------------------------------------------------------

# A stub whose overloads griffe merges into the module: it must follow the module's import
# of brush, and paint is another project, not in the repository.
BRUSH_STUB = """\
from typing import overload

@overload
def brush(width: int) -> int: ...
@overload
def brush(width: str) -> str: ...
"""


def test_an_import_griffe_cannot_follow_is_that_module_s_problem(
    ink_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    init = f"{SHAPES_SOURCE}/__init__.py"
    replace(ink_repo, init, "from ink_core.base import Shape\n", "from paint import brush\n")
    replace(ink_repo, init, '"Shape"]', '"Shape", "brush"]')
    ink_repo.write(f"{init}i", BRUSH_STUB)
    commit(ink_repo, "Offer paint's brush")

    run = run_gates(ink_repo.root, "-m", "api or changelog")

    outcomes = run.outcomes()
    assert outcomes[case(SHAPES)] == "failed", run.output
    assert outcomes[case(CORE_API)] == "passed", run.output
    assert outcomes[BREAKING] == "passed", run.output  # the changelog gate is untouched
    assert "error" not in outcomes.values(), run.output
    assert_says(
        run,
        case(SHAPES),
        f"{init}, line 2 at HEAD: {SHAPES} at HEAD cannot be read: griffe must follow the "
        f"import of `brush` from paint.brush to read it, and no package of this repository "
        "holds paint",
        "if paint is another project, the api gate cannot read ink_shapes statically",
    )
    assert "Python can parse" not in run.message(case(SHAPES))
    assert_no_traceback(run)


# Packages tagged in forms of their own --------------------------------------------------------


def set_shapes_version(repo: ReleaseRepo, old: str, new: str) -> None:
    for file in ("pyproject.toml", f"src/{SHAPES}/__init__.py"):
        replace(repo, f"packages/ink-shapes/{file}", f'"{old}"', f'"{new}"')


def test_each_package_is_compared_with_its_own_last_release(
    ink_repo: ReleaseRepo, run_gates: GateRunner
) -> None:
    """ink-shapes broke Circle in its own 0.2.0 and releases 0.2.1 without a change; ink-core
    offers Circle too and was last released as 0.1.0: its 0.2.0 carries the break."""
    replace(
        ink_repo,
        CONFIG,
        'tag = "v{version}"\nversioning = "lockstep"',
        'tag = "{name}-v{version}"\nversioning = "independent"',
    )
    replace(ink_repo, f"{SHAPES_SOURCE}/circle.py", "radius: float)", "radius: float, ink: str)")
    commit(ink_repo, "Release ink-shapes 0.2.0: circles need ink")
    ink_repo.git("tag", "ink-core-v0.1.0", f"v{PREVIOUS_VERSION}")
    ink_repo.git("tag", "ink-shapes-v0.2.0")
    set_shapes_version(ink_repo, VERSION, "0.2.1")
    commit(ink_repo, "ink-shapes 0.2.1")

    run = run_gates(ink_repo.root, *API_ONLY)

    assert run.outcomes() == {case(CORE_API): "passed", case(SHAPES): "passed"}, run.output
    assert f"{CORE_API} since ink-core-v0.1.0: 1 breaking" in run.output
    assert f"{SHAPES} since ink-shapes-v0.2.0: no change" in run.output
