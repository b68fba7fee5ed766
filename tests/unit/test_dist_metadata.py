"""Core metadata of built dists (a wheel's METADATA, an sdist's PKG-INFO) against pyproject:
name, version, and requirements and extras compared as packaging requirements.

The metadata texts are written here; the Package and metadata builders are test_dists'.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement

from pytest_release.dists.files import DistFile
from pytest_release.dists.metadata import (
    metadata_problems,
    metadata_requirement_key,
    requirement_key,
)
from tests.unit.test_dists import assert_starts, metadata, package, words

DEPENDENCIES = ["packaging>=24,<27", "tomli; python_version < '3.11'"]
EXTRAS = {"test": ["pytest>=8", "colorama; sys_platform == 'win32' or os_name == 'nt'"]}
SETUPTOOLS_STYLE = [
    "Requires-Dist: packaging<27,>=24",
    'Requires-Dist: tomli; python_version < "3.11"',
    "Provides-Extra: test",
    'Requires-Dist: pytest>=8; extra == "test"',
    'Requires-Dist: colorama; (sys_platform == "win32" or os_name == "nt") and extra == "test"',
]
HATCH_STYLE = [
    "Requires-Dist: packaging>=24,<27",
    "Requires-Dist: tomli; python_version < '3.11'",
    "Provides-Extra: Test",
    "Requires-Dist: pytest>=8; extra == 'test'",
    "Requires-Dist: colorama; (sys_platform == 'win32' or os_name == 'nt') and extra == 'test'",
]


LACKS, DECLARES = "lacks requirements that", "declares requirements that pyproject.toml does not"
REQUIREMENT_CASES: dict[str, tuple[list[str], tuple[str, ...], list[str]]] = {
    "setuptools-spelling": (SETUPTOOLS_STYLE, (), []),
    "hatchling-spelling": (HATCH_STYLE, (), []),
    "missing": (SETUPTOOLS_STYLE[1:], (), [f"{LACKS} pyproject.toml declares: packaging<27,>=24"]),
    "added": ([*SETUPTOOLS_STYLE, "Requires-Dist: requests>=2"], (), [f"{DECLARES}: requests>=2"]),
    "extra-requirement-made-unconditional": (
        [*SETUPTOOLS_STYLE[:3], "Requires-Dist: pytest>=8", SETUPTOOLS_STYLE[4]],
        (),
        [f"{LACKS} pyproject.toml declares: pytest>=8 (extra 'test')", f"{DECLARES}: pytest>=8"],
    ),
    "other-specifier": (
        [*SETUPTOOLS_STYLE[:3], 'Requires-Dist: pytest>=7; extra == "test"', SETUPTOOLS_STYLE[4]],
        (),
        [f"{LACKS} pyproject.toml declares: pytest>=8 (extra", f"{DECLARES}: pytest>=7; extra"],
    ),
    "extra-not-provided": (
        [line for line in SETUPTOOLS_STYLE if "Provides-Extra" not in line],
        (),
        ["lacks the extras test that pyproject.toml declares"],
    ),
    "undeclared-extra": (
        [*SETUPTOOLS_STYLE, "Provides-Extra: docs"],
        (),
        ["provides extras docs that pyproject.toml does not declare"],
    ),
    "dynamic-in-pyproject": (
        ["Requires-Dist: requests", "Provides-Extra: docs"],
        ("dependencies", "optional-dependencies"),
        [],
    ),
    "dynamic-in-pkg-info": (["Dynamic: Requires-Dist", "Dynamic: Provides-Extra"], (), []),
    "invalid-requires-dist": (
        [*SETUPTOOLS_STYLE, "Requires-Dist: not a requirement!"],
        (),
        ["has an invalid Requires-Dist 'not a requirement!'"],
    ),
}


@pytest.mark.parametrize(
    ("fields", "dynamic", "expected"), REQUIREMENT_CASES.values(), ids=REQUIREMENT_CASES.keys()
)
def test_requirements_compare_as_requirements(
    fields: list[str], dynamic: tuple[str, ...], expected: list[str]
) -> None:
    path = Path("/o/aetherflow_core-1.2.0-py3-none-any.whl")
    dist = DistFile(path, "wheel", frozenset(), metadata("aetherflow-core", "1.2.0", *fields))
    subject = package(dependencies=DEPENDENCIES, extras=EXTRAS)
    found = metadata_problems(subject, dist, dynamic)
    assert [problem.where for problem in found] == [
        "aetherflow-core, aetherflow_core-1.2.0-py3-none-any.whl METADATA"
    ] * len(expected)
    assert_starts([problem.what for problem in found], expected)


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        pytest.param("Aetherflow_Core", "1.2.0", [], id="name-compares-normalized"),
        pytest.param("aetherflow-core", "1.2", [], id="version-compares-as-version"),
        pytest.param(
            "aetherflow-kore",
            "1.2.0",
            ["names the dist 'aetherflow-kore', but pyproject.toml names it 'aetherflow-core'"],
            id="other-name",
        ),
        pytest.param(
            "aetherflow-core",
            "1.3.0",
            ["carries version '1.3.0', but pyproject.toml says 1.2.0 (pyproject.toml [project]"],
            id="other-version",
        ),
        pytest.param(
            "aetherflow-core",
            "banana",
            ["carries version 'banana'"],
            id="invalid-version",
        ),
    ],
)
def test_name_and_version_come_from_pyproject(name: str, version: str, expected: list[str]) -> None:
    dist = DistFile(Path("/o/x-1.tar.gz"), "sdist", frozenset(), metadata(name, version), "x-1")
    found = metadata_problems(package(), dist)
    assert [
        problem.what[: len(start)] for problem, start in zip(found, expected, strict=False)
    ] == expected
    assert len(found) == len(expected)
    assert all(problem.where == "aetherflow-core, x-1.tar.gz PKG-INFO" for problem in found)


def test_a_dist_without_metadata_is_a_problem() -> None:
    dist = DistFile(Path("/o/x-1-py3-none-any.whl"), "wheel", frozenset(), None)
    assert words(metadata_problems(package(), dist)) == [
        "aetherflow-core, x-1-py3-none-any.whl | the wheel has no METADATA | build it with a "
        "PEP 517 backend that writes core metadata "
        "(see https://packaging.python.org/en/latest/specifications/core-metadata/)"
    ]


@pytest.mark.parametrize(
    ("declared", "extra", "written"),
    [
        ("a>=1", None, "a>=1"),
        ("A_B[Y,x]>=1,<2", None, "a-b[x,y]<2,>=1"),
        ("a>=1", "Dev_Tools", 'a>=1; extra == "dev-tools"'),
        ("a; python_version<'3.11'", "t", "a; (python_version < '3.11') and extra == 't'"),
        ("a; python_version<'3.11'", "t", "a ; ((python_version < \"3.11\")) and extra == 't'"),
        (
            "a; os_name=='nt' or os_name=='posix'",
            "t",
            'a; (os_name == "nt" or os_name == "posix") and extra == "t"',
        ),
        ("a @ https://example.org/a.whl", None, "a@ https://example.org/a.whl"),
        # flit puts the extra first
        (
            "a; os_name=='nt' or os_name=='posix'",
            "t",
            "a ; extra == 't' and ( os_name == 'nt' or os_name == 'posix')",
        ),
        (
            "a; os_name=='nt' and python_version>'3'",
            "t",
            "a; os_name == 'nt' and extra == 't' and python_version > '3'",
        ),
        ("a; os_name == 'a and b'", "t", "a; os_name == 'a and b' and 't' == extra"),
    ],
)
def test_a_requires_dist_matches_its_declaration(
    declared: str, extra: str | None, written: str
) -> None:
    assert metadata_requirement_key(Requirement(written)) == requirement_key(
        Requirement(declared), extra
    )


@pytest.mark.parametrize(
    ("declared", "extra", "written"),
    [
        ("a", "t", "a"),
        ("a; os_name == 'nt'", None, 'a; os_name == "nt" and extra == "t"'),
        # `x or y and extra == "t"` is `x or (y and extra == "t")`: not an extra's requirement
        (
            "a; os_name=='nt' or os_name=='posix'",
            "t",
            'a; os_name == "nt" or os_name == "posix" and extra == "t"',
        ),
        ("a[x]", None, "a"),
        ("a>=1", None, "a>1"),
    ],
)
def test_a_requires_dist_differs_from_its_declaration(
    declared: str, extra: str | None, written: str
) -> None:
    assert metadata_requirement_key(Requirement(written)) != requirement_key(
        Requirement(declared), extra
    )
