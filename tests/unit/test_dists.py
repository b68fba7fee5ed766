"""Built dists: reading wheels and sdists, their names and contents, and real builds.

The wheels and sdists are written here with zipfile and tarfile; the builds at the end are
real ``python -m build`` runs on tiny projects in ``tmp_path``.
"""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import tarfile
import textwrap
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import build
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pytest_release.dists.build import (
    BuiltPackage,
    readable_output,
    root_files_read,
    start_builds,
    twine_check,
    twine_checked,
)
from pytest_release.dists.contents import (
    expected_license_files,
    import_package_problems,
    sdist_problems,
    stray_file_problems,
    tree_modules,
    unbuilt_module_problems,
)
from pytest_release.dists.files import (
    DistFile,
    file_sha256,
    filename_problems,
    member_digests,
    read_dist,
)
from pytest_release.dists.prepared_metadata import metadata_reader
from pytest_release.problems import Problem
from pytest_release.target.dynamic_metadata import BackendMetadata
from pytest_release.target.monorepo import Monorepo, Package, read_monorepo

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence


def package(
    name: str = "aetherflow-core",
    *,
    folder: Path = Path("/repo/packages/core"),
    version: str | None = "1.2.0",
    dependencies: Sequence[str] = (),
    extras: Mapping[str, Sequence[str]] | None = None,
    imports: Sequence[str] = ("aetherflow.core",),
    backend: str = "setuptools.build_meta",
) -> Package:
    return Package(
        name=name,
        key=canonicalize_name(name),
        folder=folder,
        pyproject=folder / "pyproject.toml",
        version_text=version,
        version_source="pyproject.toml [project] version",
        build_backend=backend,
        dependencies=tuple(Requirement(text) for text in dependencies),
        optional_dependencies={
            extra: tuple(Requirement(text) for text in texts)
            for extra, texts in (extras or {}).items()
        },
        import_packages=tuple(imports),
    )


def metadata(name: str = "aetherflow-core", version: str = "1.2.0", *fields: str) -> str:
    head = f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n"
    return head + "".join(f"{field}\n" for field in fields) + "\nThe description.\n"


def write_wheel(
    path: Path, members: Iterable[str], metadata_text: str | None = None, dist_info: str = ""
) -> Path:
    info = dist_info or path.name.split("-")[0] + "-" + path.name.split("-")[1] + ".dist-info"
    with zipfile.ZipFile(path, "w") as archive:
        for member in members:
            archive.writestr(member, "" if member.endswith("/") else f"# {member}\n")
        if metadata_text is not None:
            archive.writestr(f"{info}/METADATA", metadata_text)
    return path


def write_sdist(path: Path, members: Iterable[str], metadata_text: str | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        files = [(member, f"# {member}\n") for member in members]
        if metadata_text is not None:
            top = path.name.removesuffix(".tar.gz")
            files.append((f"{top}/PKG-INFO", metadata_text))
        for member, text in files:
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def wheel_of(tmp_path: Path, members: Iterable[str]) -> DistFile:
    path = write_wheel(tmp_path / "aetherflow_core-1.2.0-py3-none-any.whl", members)
    read = read_dist(path)
    assert isinstance(read, DistFile)
    return read


def words(problems: Iterable[Problem], *, where: bool = True) -> list[str]:
    """Each problem as "where | what | fix" (without where when told)."""
    return [
        f"{problem.where} | {problem.what} | {problem.fix}"
        if where
        else f"{problem.what} | {problem.fix}"
        for problem in problems
    ]


def assert_starts(texts: Sequence[str], expected: Sequence[str]) -> None:
    """One text for each expected beginning, in order."""
    assert len(texts) == len(expected), texts
    for text, start in zip(texts, expected, strict=True):
        assert text.startswith(start), text


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "members", "top", "expected"),
    [
        pytest.param(
            "aetherflow_core-1.2.0-py3-none-any.whl",
            ["aetherflow/", "aetherflow/core/__init__.py"],
            None,
            {"aetherflow/core/__init__.py", "aetherflow_core-1.2.0.dist-info/METADATA"},
            id="wheel-without-folders",
        ),
        pytest.param(
            "aetherflow_core-1.2.0.tar.gz",
            ["aetherflow_core-1.2.0/pyproject.toml", "./aetherflow_core-1.2.0/src/a.py"],
            "aetherflow_core-1.2.0",
            {"pyproject.toml", "src/a.py", "PKG-INFO"},
            id="sdist-below-its-top-folder",
        ),
    ],
)
def test_reads_members_and_metadata(
    tmp_path: Path, name: str, members: list[str], top: str | None, expected: set[str]
) -> None:
    writer = write_wheel if name.endswith(".whl") else write_sdist
    read = read_dist(writer(tmp_path / name, members, metadata()))
    assert isinstance(read, DistFile)
    assert read.kind == ("wheel" if name.endswith(".whl") else "sdist")
    assert (read.top, read.metadata, set(read.members)) == (top, metadata(), expected)
    assert read.metadata_name == ("METADATA" if read.kind == "wheel" else "PKG-INFO")


def test_an_sdist_without_one_top_folder_has_no_top(tmp_path: Path) -> None:
    path = write_sdist(tmp_path / "x-1.0.tar.gz", ["pyproject.toml", "x-1.0/setup.py"])
    read = read_dist(path)
    assert isinstance(read, DistFile)
    assert read.top is None
    assert read.metadata is None
    assert read.members == {"pyproject.toml", "x-1.0/setup.py"}


@pytest.mark.parametrize("name", ["x-1.0-py3-none-any.whl", "x-1.0.tar.gz"])
def test_a_damaged_file_is_a_problem(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"not an archive")
    read = read_dist(tmp_path / name)
    assert isinstance(read, Problem)
    assert read.where == name
    assert "cannot be read" in read.what


# --- file names -------------------------------------------------------------------------------


WHEEL, SDIST = "aetherflow_core-1.2.0-py3-none-any.whl", "aetherflow_core-1.2.0.tar.gz"
NAME_FIX = "build with a backend that writes normalized file names"
FILENAME_CASES: dict[str, tuple[list[str], str | None, list[str]]] = {
    "good": ([WHEEL, SDIST], "1.2.0", []),
    "version-normalized": (
        ["aetherflow_core-1.2.0rc1-py3-none-any.whl", "aetherflow_core-1.2.0rc1.tar.gz"],
        "1.2.0-rc1",
        [],
    ),
    "build-tag": (["aetherflow_core-1.2.0-1-py3-none-any.whl", SDIST], "1.2.0", []),
    "two-wheels": (
        [WHEEL, "aetherflow_core-1.2.0-cp311-cp311-linux_x86_64.whl", SDIST],
        "1.2.0",
        ["aetherflow-core | the build produced 2 wheel (.whl) files (aetherflow_core-1.2.0-"],
    ),
    "no-sdist": (
        [WHEEL],
        "1.2.0",
        ["aetherflow-core | the build produced 0 sdist (.tar.gz) files, not exactly one"],
    ),
    "zip-sdist": (
        [WHEEL, SDIST, "aetherflow_core-1.2.0.zip"],
        "1.2.0",
        ["aetherflow-core | the build produced files that are neither a wheel nor a .tar.gz"],
    ),
    "unnormalized-sdist": (
        [WHEEL, "aetherflow-core-1.2.0.tar.gz"],
        "1.2.0",
        [
            "aetherflow-core, aetherflow-core-1.2.0.tar.gz | the file name starts with "
            f"'aetherflow-core', not the normalized dist name 'aetherflow_core' | {NAME_FIX}"
        ],
    ),
    "uppercase-wheel": (
        ["Aetherflow_Core-1.2.0-py3-none-any.whl", SDIST],
        "1.2.0",
        ["aetherflow-core, Aetherflow_Core-1.2.0-py3-none-any.whl | the file name starts"],
    ),
    "other-version": (
        ["aetherflow_core-1.1.0-py3-none-any.whl", SDIST],
        "1.2.0",
        [
            "aetherflow-core, aetherflow_core-1.1.0-py3-none-any.whl | the file is named for "
            "version '1.1.0', but pyproject.toml says 1.2.0 (normalized 1.2.0) | make the "
            "build take its version from pyproject.toml"
        ],
    ),
    "version-unknown-name-only": (
        ["aetherflow_core-1.1.0-py3-none-any.whl", "aetherflow_core-1.1.0.tar.gz"],
        None,
        [],
    ),
    "malformed-wheel-name": (
        ["aetherflow_core.whl", SDIST],
        "1.2.0",
        ["aetherflow-core, aetherflow_core.whl | the file name is not name-version-python"],
    ),
}


@pytest.mark.parametrize(
    ("names", "version", "expected"), FILENAME_CASES.values(), ids=FILENAME_CASES.keys()
)
def test_filename_problems(names: list[str], version: str | None, expected: list[str]) -> None:
    found = words(
        filename_problems(package(version=version), [Path("/out") / name for name in names])
    )
    assert_starts(found, expected)


# --- wheel contents ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("imports", "members", "missing"),
    [
        pytest.param(("aetherflow.core",), ["aetherflow/core/__init__.py"], [], id="namespace"),
        pytest.param(("aetherflow.core",), ["aetherflow/core/py.typed"], [], id="any-file"),
        pytest.param(("solo",), ["solo.py"], [], id="module"),
        pytest.param(("fast",), ["fast.cpython-311-x86_64-linux-gnu.so"], [], id="extension"),
        pytest.param(("fast",), ["fast.pyd"], [], id="windows-extension"),
        pytest.param(("lib",), ["x-1.data/purelib/lib/__init__.py"], [], id="purelib-data"),
        pytest.param(
            ("aetherflow.core", "extra"),
            ["aetherflow/core/__init__.py"],
            ["extra"],
            id="one-missing",
        ),
        pytest.param(("lib",), ["x-1.data/scripts/lib"], ["lib"], id="scripts-do-not-count"),
        pytest.param(("lib",), ["library/__init__.py", "lib.txt"], ["lib"], id="prefix-only"),
    ],
)
def test_import_packages_are_in_the_wheel(
    tmp_path: Path, imports: tuple[str, ...], members: list[str], missing: list[str]
) -> None:
    found = import_package_problems(package(imports=imports), wheel_of(tmp_path, members))
    if not missing:
        assert found == []
        return
    (problem,) = found
    assert problem.what.startswith(f"the wheel lacks the import package(s) {', '.join(missing)}")
    assert problem.where == "aetherflow-core, aetherflow_core-1.2.0-py3-none-any.whl"
    assert problem.fix.startswith("include them in the wheel: list them in [tool.setuptools")


SCHEDULER = package("aetherflow-scheduler", imports=("aetherflow.scheduler",))
UMBRELLA = package("aetherflow-all", imports=("aetherflow",))


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        pytest.param(
            ["aetherflow/core/__init__.py", "aetherflow_core-1.2.0.dist-info/licenses/LICENSE"],
            [],
            id="clean",
        ),
        pytest.param(
            ["tests/__init__.py", "tests/test_core.py", "aetherflow/core/__init__.py"],
            [
                "the wheel ships tests: tests/__init__.py, tests/test_core.py | keep the tests out "
                'of the wheel: [tool.setuptools.packages.find] exclude = ["tests*"]'
            ],
            id="top-level-tests",
        ),
        pytest.param(
            ["aetherflow/core/tests/test_flow.py", "test/test_a.py"],
            [
                "the wheel ships tests: aetherflow/core/tests/test_flow.py, test/test_a.py | keep "
                "the tests out of the wheel: [tool.setuptools.packages.find] exclude = "
                '["aetherflow.core.tests*", "test*"]'
            ],
            id="nested-tests",
        ),
        pytest.param(
            ["aetherflow/core/test/__init__.py", "aetherflow/core/testing.py"],
            [],
            id="nested-test-and-testing-are-code",
        ),
        pytest.param(
            ["aetherflow/core/__pycache__/flow.cpython-311.pyc", "aetherflow/core/old.pyc"],
            ["the wheel ships compiled bytecode (__pycache__, .pyc): aetherflow/core/__pycache__"],
            id="bytecode",
        ),
        pytest.param(
            ["aetherflow/core/.gitignore", "aetherflow/.git/HEAD", "aetherflow/core/.hgtags"],
            ["the wheel ships version-control files: aetherflow/.git/HEAD, aetherflow/core/.git"],
            id="vcs",
        ),
        pytest.param(
            ["aetherflow/scheduler/__init__.py", "aetherflow/scheduler/plan.py"],
            [
                "the wheel ships modules of aetherflow-scheduler, another package of the repo: "
                "aetherflow/scheduler/__init__.py, aetherflow/scheduler/plan.py | ship only this "
                "dist's own import packages (aetherflow.core)"
            ],
            id="sibling-package",
        ),
        pytest.param(
            ["aetherflow/__init__.py"],
            [
                "the wheel ships modules of aetherflow-all, another package of the repo: "
                "aetherflow/__init__.py"
            ],
            id="parent-package",
        ),
        pytest.param(
            ["aetherflow/core/deep/x.py", "x-1.data/purelib/aetherflow/core/y.py"],
            [],
            id="own-package-inside-another",
        ),
    ],
)
def test_stray_files(tmp_path: Path, members: list[str], expected: list[str]) -> None:
    found = stray_file_problems(package(), [SCHEDULER, UMBRELLA], wheel_of(tmp_path, members))
    assert_starts(words(found, where=False), expected)


@pytest.mark.parametrize(
    ("backend", "hint"),
    [
        ("hatchling.build", '[tool.hatch.build.targets.wheel] exclude = ["tests/"]'),
        ("flit_core.buildapi", "move them out of the module folder"),
        ("pdm.backend", '[tool.pdm.build] excludes = ["**/tests"]'),
        ("poetry.core.masonry.api", '[tool.poetry] exclude = ["**/tests"]'),
        ("maturin", "configure the build backend to leave them out"),
    ],
)
def test_the_fix_for_shipped_tests_names_the_backend_setting(
    tmp_path: Path, backend: str, hint: str
) -> None:
    wheel = wheel_of(tmp_path, ["tests/test_a.py"])
    (problem,) = stray_file_problems(package(backend=backend), [], wheel)
    assert hint in problem.fix


# --- sdist contents ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "project", "expected", "problems"),
    [
        pytest.param(
            ["LICENSE", "COPYING.txt", "NOTICE"], {}, ["COPYING.txt", "LICENSE"], [], id="defaults"
        ),
        pytest.param(["README.md"], {}, [], [], id="none"),
        pytest.param(
            ["LICENSE", "licenses/MIT.txt", "licenses/APACHE.txt"],
            {"license-files": ["licenses/*.txt"]},
            ["licenses/APACHE.txt", "licenses/MIT.txt"],
            [],
            id="declared-globs-replace-defaults",
        ),
        pytest.param(
            ["LICENSE"],
            {"license-files": ["LICENSE", "AUTHORS*"]},
            ["LICENSE"],
            ["license-files pattern 'AUTHORS*' matches no file in core/"],
            id="unmatched-pattern",
        ),
        pytest.param(
            ["LICENSE.rst"],
            {"license": {"file": "LICENSE.rst"}},
            ["LICENSE.rst"],
            [],
            id="legacy-table",
        ),
    ],
)
def test_expected_license_files(
    tmp_path: Path,
    files: list[str],
    project: dict[str, object],
    expected: list[str],
    problems: list[str],
) -> None:
    folder = tmp_path / "core"
    for name in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("text\n", encoding="utf-8")
    found, found_problems = expected_license_files(package(folder=folder), project)
    assert list(found) == expected
    assert [problem.what for problem in found_problems] == problems


@pytest.mark.parametrize(
    ("members", "licenses", "expected"),
    [
        pytest.param(["x-1/pyproject.toml", "x-1/LICENSE"], ["LICENSE"], [], id="good"),
        pytest.param(
            ["x-1/setup.py"],
            [],
            [
                "the sdist lacks x-1/pyproject.toml, so installers cannot build it | include "
                "pyproject.toml in the sdist: add an `include` line to MANIFEST.in"
            ],
            id="no-pyproject",
        ),
        pytest.param(
            ["x-1/pyproject.toml", "x-1/docs/LICENSE"],
            ["LICENSE", "COPYING"],
            [
                "the sdist lacks the license file(s) COPYING, LICENSE | declare them in [project] "
                'license-files = ["LICENSE"] (PEP 639)'
            ],
            id="no-license",
        ),
        pytest.param(
            ["pyproject.toml", "x-1/LICENSE"],
            [],
            ["the sdist does not unpack into one top folder (name-version/)"],
            id="no-top-folder",
        ),
    ],
)
def test_sdist_problems(
    tmp_path: Path, members: list[str], licenses: list[str], expected: list[str]
) -> None:
    sdist = read_dist(write_sdist(tmp_path / "x-1.tar.gz", members))
    assert isinstance(sdist, DistFile)
    found = sdist_problems(package(), sdist, licenses)
    assert_starts(words(found, where=False), expected)
    assert all(problem.where == "aetherflow-core, x-1.tar.gz" for problem in found)


def module_tree(tmp_path: Path) -> tuple[Monorepo, Package, Path]:
    """The core package in a repo, and a copy of its folder as a build copies it: a regular
    subpackage, a folder without ``__init__.py``, tests, a stub, and a folder holding
    another package's import package (the namespace ``aetherflow.core.plugins``)."""
    root = tmp_path / "repo"
    core = root / "packages" / "core"
    write_files(
        core / "src" / "aetherflow" / "core",
        {
            "__init__.py": "",
            "flow.py": "",
            "flow.pyi": "",
            "sub/__init__.py": "",
            "sub/steps.py": "",
            "templates/render.py": "",
            "tests/__init__.py": "",
            "tests/test_flow.py": "",
            "plugins/__init__.py": "",
            "plugins/extra.py": "",
        },
    )
    owner = package(folder=core)
    other = package("aetherflow-plugins", folder=root / "packages" / "plugins")
    other = dataclasses.replace(other, import_packages=("aetherflow.core.plugins",))
    return Monorepo(root, (owner, other)), owner, core


def test_tree_modules_are_the_regular_packages_sources_of_this_package(tmp_path: Path) -> None:
    monorepo, core, copy = module_tree(tmp_path)
    assert tree_modules(monorepo, core, copy) == {
        f"aetherflow/core/{name}": f"src/aetherflow/core/{name}"
        for name in ("__init__.py", "flow.py", "flow.pyi", "sub/__init__.py", "sub/steps.py")
    }


@pytest.mark.parametrize(
    ("wheel", "sdist", "expected"),
    [
        pytest.param(["a/__init__.py", "a/b.py"], [], [], id="all-in-the-wheel"),
        pytest.param(
            ["a/__init__.py"], ["src/a/__init__.py", "src/a/b.py"], [], id="left-out-of-the-wheel"
        ),
        pytest.param(
            ["a/__init__.py"],
            ["src/a/__init__.py"],
            [
                "aetherflow-core, aetherflow_core-1.2.0.tar.gz | the sdist lacks the sources of "
                "modules of the import packages: src/a/b.py; so the wheel, built from the sdist "
                "as every installer builds it, lacks the modules | include their sources in "
                "the sdist: add an `include` line to MANIFEST.in"
            ],
            id="sdist-incomplete",
        ),
    ],
)
def test_a_module_the_sdist_lacks_is_a_problem(
    tmp_path: Path, wheel: list[str], sdist: list[str], expected: list[str]
) -> None:
    modules = {"a/__init__.py": "src/a/__init__.py", "a/b.py": "src/a/b.py"}
    top = "aetherflow_core-1.2.0"
    read = read_dist(write_sdist(tmp_path / f"{top}.tar.gz", [f"{top}/{m}" for m in sdist]))
    assert isinstance(read, DistFile)
    found = unbuilt_module_problems(package(), modules, wheel_of(tmp_path, wheel), read)
    assert words(found) == expected


def test_long_lists_are_cut(tmp_path: Path) -> None:
    modules = {f"a/m{index:02}.py": f"src/a/m{index:02}.py" for index in range(20)}
    empty = DistFile(tmp_path / "x-1.tar.gz", "sdist", frozenset(), None, top="x-1")
    (problem,) = unbuilt_module_problems(package(), modules, wheel_of(tmp_path, []), empty)
    assert "src/a/m00.py, src/a/m01.py" in problem.what
    assert "src/a/m07.py and 12 more; so the wheel" in problem.what


# --- build output and twine -------------------------------------------------------------------

BUILD_PACKAGE = Path(build.__file__).parent
BUILD_TRACEBACK = f"""\
Traceback (most recent call last):
  File "{BUILD_PACKAGE / "__main__.py"}", line 289, in _handle_build_error
    yield
  File "{Path(subprocess.__file__)}", line 571, in run
    raise CalledProcessError(retcode, process.args,
subprocess.CalledProcessError: Command 'uv pip install' returned non-zero exit status 1.
"""


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        pytest.param(
            "$ python -m build\n* Building sdist...\n\n\x1b[31mERROR\x1b[0m Backend failed\n"
            "TIP pass --env-dir to keep the build environment\n",
            ["* Building sdist...", "ERROR Backend failed"],
            id="echo-blank-colour-tip",
        ),
        pytest.param(
            "< error: No solution found\n"
            + BUILD_TRACEBACK
            + "ERROR Command 'uv pip install' returned non-zero exit status 1.\n",
            [
                "< error: No solution found",
                "ERROR Command 'uv pip install' returned non-zero exit status 1.",
            ],
            id="pypa-build-traceback-dropped",
        ),
        pytest.param(
            "* Building sdist...\nTraceback (most recent call last):\n"
            '  File "/tmp/build-env/site-packages/hatchling/build.py", line 34, in build_sdist\n'
            "    return build()\n"
            "OSError: Readme file does not exist: MISSING.md\n"
            "ERROR Backend subprocess exited when trying to invoke build_sdist\n",
            [
                "* Building sdist...",
                "Traceback (most recent call last):",
                '  File "/tmp/build-env/site-packages/hatchling/build.py", line 34, in build_sdist',
                "    return build()",
                "OSError: Readme file does not exist: MISSING.md",
                "ERROR Backend subprocess exited when trying to invoke build_sdist",
            ],
            id="backend-traceback-kept",
        ),
        pytest.param(
            'Traceback (most recent call last):\n  File "setup.py", line 1\n',
            ["Traceback (most recent call last):", '  File "setup.py", line 1'],
            id="cut-short",
        ),
    ],
)
def test_readable_build_output(output: str, expected: list[str]) -> None:
    assert readable_output(output) == expected


def wheel_with_description(tmp_path: Path, description: str, content_type: str) -> Path:
    text = metadata(
        "aetherflow-core", "1.2.0", "Summary: Flows.", f"Description-Content-Type: {content_type}"
    ).replace("The description.\n", description)
    return write_wheel(
        tmp_path / "aetherflow_core-1.2.0-py3-none-any.whl",
        ["aetherflow/core/__init__.py"],
        text,
    )


def test_twine_check_passes_a_good_wheel(tmp_path: Path) -> None:
    path = wheel_with_description(tmp_path, "# Aetherflow\n\nFlows.\n", "text/markdown")
    assert twine_check([path]) is None


def test_twine_check_quotes_twine_on_a_broken_readme(tmp_path: Path) -> None:
    path = wheel_with_description(tmp_path, "Title\n==\n\n`broken\n", "text/x-rst")
    output = twine_check([path])
    assert output is not None
    assert f"Checking {path}: FAILED" in output
    assert "`long_description` has syntax errors in markup" in output
    assert not any(line != line.rstrip() for line in output.splitlines())


def test_one_twine_check_for_all_and_on_a_failure_each_package_its_own_verdict(
    tmp_path: Path,
) -> None:
    (tmp_path / "good").mkdir()
    (tmp_path / "broken").mkdir()
    good = wheel_with_description(tmp_path / "good", "# Aetherflow\n\nFlows.\n", "text/markdown")
    broken = wheel_with_description(tmp_path / "broken", "Title\n==\n\n`broken\n", "text/x-rst")
    failed = BuiltPackage("failed", None, None, (), "the build failed")
    built = [BuiltPackage(name, None, path, (path,), None) for name, path in [("good", good)]]
    (all_good, not_built) = twine_checked([*built, failed])
    assert (all_good.twine_checked, all_good.twine_output) == (True, None)
    assert not_built == failed  # nothing to check: its build failed

    one_broken = twine_checked([*built, BuiltPackage("broken", None, broken, (broken,), None)])
    assert [(each.twine_checked, each.twine_output is None) for each in one_broken] == [
        (True, True),
        (True, False),
    ]
    assert f"Checking {broken}: FAILED" in (one_broken[1].twine_output or "")
    assert str(good) not in (one_broken[1].twine_output or "")


# --- real builds ------------------------------------------------------------------------------


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def git(root: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return completed.stdout


def pyproject(name: str, backend: str = "backend", *project: str) -> str:
    """A pyproject.toml for ``name``: setuptools' own backend, or the folder's ``backend.py``."""
    requires = (
        '["setuptools>=77"]' if backend.startswith("setuptools") else "[]\nbackend-path = ['.']"
    )
    table = "\n".join([f"name = {name!r}", "version = '1.0.0'", *project])
    return (
        f"[build-system]\nrequires = {requires}\nbuild-backend = {backend!r}\n[project]\n{table}\n"
    )


@pytest.mark.slow
def test_start_builds_builds_from_a_copy_and_leaves_the_repo_alone(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_files(
        root,
        {
            ".gitignore": "*.egg-info/\nbuild/\ndist/\n",
            "LICENSE": "MIT\n",
            "packages/good/pyproject.toml": pyproject(
                "Good.Pkg",
                "setuptools.build_meta",
                "license = 'MIT'",
                "license-files = ['LICENSE']",
                "dependencies = ['packaging>=24']",
            ),
            "packages/good/LICENSE": "MIT\n",
            "packages/good/src/good_pkg/__init__.py": "",
            "packages/bad/pyproject.toml": pyproject("bad"),
            "packages/bad/backend.py": """
                def get_requires_for_build_sdist(config_settings=None):
                    raise RuntimeError("the bad backend refuses to build")
                """,
        },
    )
    # Ignored litter in the work tree must not reach the build.
    write_files(root, {"packages/good/build/lib/stale.py": "", "packages/good/dist/old.txt": ""})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    before = git(root, "status", "--porcelain", "--ignored")
    built = start_builds(read_monorepo(root), tmp_path / "out").result()
    assert list(built) == ["bad", "Good.Pkg"]
    good, bad = built["Good.Pkg"], built["bad"]
    assert good.error is None
    assert good.sdist is not None
    assert good.wheel is not None
    assert good.sdist.name == "good_pkg-1.0.0.tar.gz"
    assert good.wheel.name == "good_pkg-1.0.0-py3-none-any.whl"
    assert set(good.files) == {good.sdist, good.wheel}
    assert (good.reused, good.source) == (
        False,
        tmp_path / "out" / "good-pkg" / "source" / "packages" / "good",
    )
    wheel = read_dist(good.wheel)
    assert isinstance(wheel, DistFile)
    assert "stale.py" not in str(wheel.members)
    assert git(root, "status", "--porcelain", "--ignored") == before
    assert bad.error is not None
    assert (bad.sdist, bad.wheel, bad.files) == (None, None, ())
    assert "`python -m build` failed (exit 1)" in bad.error
    assert "RuntimeError: the bad backend refuses to build" in bad.error
    assert f"{root}/packages/bad/backend.py" in bad.error  # the repo's path, not the copy's


@pytest.mark.slow
def test_a_hung_build_is_stopped_with_a_readable_error(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    pid_file = tmp_path / "backend.pid"
    write_files(
        root,
        {
            "pyproject.toml": pyproject("hangs"),
            "backend.py": f"""
                import os, time
                def get_requires_for_build_sdist(config_settings=None):
                    with open({str(pid_file)!r}, "w") as file:
                        file.write(str(os.getpid()))
                    print("backend started", flush=True)
                    time.sleep(600)
                """,
        },
    )
    started = time.monotonic()
    (built,) = start_builds(read_monorepo(root), tmp_path / "out", timeout=8).result().values()
    assert time.monotonic() - started < 60
    assert built.error is not None
    assert "`python -m build` did not finish within 8 s and was stopped" in built.error
    assert "backend started" in built.error
    assert ended(int(pid_file.read_text()))  # the backend, a grandchild, was stopped too


def ended(pid: int) -> bool:
    """Whether process ``pid`` is gone or a zombie (its parent was killed), within 10 s."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        if stat.is_file() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.1)
    return False


# -- archives compared by their contents ------------------------------------------------------


def write_sdist_at(path: Path, members: dict[str, bytes], mtime: int) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), mtime
            archive.addfile(info, io.BytesIO(data))
    return path


def test_two_builds_of_one_commit_have_the_same_member_digests(tmp_path: Path) -> None:
    members = {"pkg-1.0/PKG-INFO": b"Name: pkg\n", "pkg-1.0/pkg/__init__.py": b"x = 1\n"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_sdist_at(tmp_path / "a" / "pkg-1.0.tar.gz", members, mtime=1)
    second = write_sdist_at(tmp_path / "b" / "pkg-1.0.tar.gz", members, mtime=2)
    assert file_sha256(first) != file_sha256(second)  # the archives' own bytes differ
    assert member_digests(first) == member_digests(second)
    changed = write_sdist_at(
        tmp_path / "pkg-1.0.tar.gz", {**members, "pkg-1.0/pkg/__init__.py": b"x = 2\n"}, mtime=1
    )
    assert member_digests(changed) != member_digests(first)


@pytest.mark.parametrize("name", ["pkg-1.0-py3-none-any.whl", "pkg-1.0.tar.gz"])
def test_a_file_that_is_no_archive_has_no_member_digests(tmp_path: Path, name: str) -> None:
    """Someone else's bytes under a release's file name: never the same contents."""
    path = tmp_path / name
    path.write_bytes(b"uploaded by someone else")

    assert member_digests(path) is None


def test_a_wheels_member_digests(tmp_path: Path) -> None:
    wheel = write_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", ["pkg/__init__.py", "pkg/"])
    assert set(member_digests(wheel) or {}) == {"pkg/__init__.py"}


COUNTING_BACKEND = """
import pathlib


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with open({calls!r}, "a") as calls:
        calls.write("asked\\n")
    info = pathlib.Path(metadata_directory) / "asked-1.0.0.dist-info"
    info.mkdir()
    requires = pathlib.Path("REQUIRES").read_text().split()
    lines = ["Metadata-Version: 2.1", "Name: asked", "Version: 1.0.0"]
    lines += [f"Requires-Dist: {{r}}" for r in requires]
    (info / "METADATA").write_text("\\n".join(lines) + "\\n")
    return info.name
"""


@pytest.mark.slow
def test_a_backends_answer_is_kept_until_a_file_it_read_changes(tmp_path: Path) -> None:
    root, calls = tmp_path / "repo", tmp_path / "calls.txt"
    write_files(
        root,
        {
            "pyproject.toml": pyproject("asked", "backend", "dynamic = ['dependencies']"),
            "backend.py": COUNTING_BACKEND.format(calls=str(calls)),
            "REQUIRES": "rich>=13\n",
        },
    )
    reader = metadata_reader(root, tmp_path / "cache")
    (package,) = read_monorepo(root, metadata_reader=reader).packages

    first, again = reader(package), reader(package)
    (root / "REQUIRES").write_text("rich>=14\n", encoding="utf-8")
    changed = reader(package)

    assert first == again == BackendMetadata("1.0.0", ("rich>=13",))
    assert changed == BackendMetadata("1.0.0", ("rich>=14",))
    # Asked when the packages were read and once REQUIRES changed; else from the cache.
    assert calls.read_text(encoding="utf-8").splitlines() == ["asked"] * 2


def test_a_member_build_copies_the_root_files_it_names_and_the_licences(tmp_path: Path) -> None:
    member = tmp_path / "packages" / "core"
    write_files(
        member,
        {
            "pyproject.toml": "[project]\nreadme = '../../README.md'\n",
            "setup.py": "open('../../VERSION').read()\n",
        },
    )
    listing = ["README.md", "VERSION", "CHANGELOG.md", "uv.lock", "pyproject.toml", "LICENSE"]
    listing += ["COPYING.txt", "packages/core/pyproject.toml", "docs/README.md"]
    assert root_files_read(member, listing) == {"README.md", "VERSION", "LICENSE", "COPYING.txt"}
