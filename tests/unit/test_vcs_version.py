"""Which tool computes a package's version from git tags, and how each is told the release."""

from __future__ import annotations

import tomllib

import pytest

from pytest_release.target.vcs_version import (
    ComputedVersion,
    VcsTool,
    computed_version,
    override_environment,
)


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        pytest.param(
            '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n'
            '[tool.hatch.version]\nsource = "vcs"\n',
            ComputedVersion(VcsTool.HATCH_VCS),
            id="hatch-vcs",
        ),
        pytest.param(
            '[tool.hatch.version]\nsource = "uv-dynamic-versioning"\n',
            ComputedVersion(VcsTool.UV_DYNAMIC_VERSIONING),
            id="uv-dynamic-versioning",
        ),
        pytest.param(
            '[tool.hatch.version]\nsource = "env"\nvariable = "ACME_VERSION"\n',
            ComputedVersion(VcsTool.HATCH_ENV, "ACME_VERSION"),
            id="hatch-env",
        ),
        pytest.param(
            '[tool.pdm.version]\nsource = "scm"\n', ComputedVersion(VcsTool.PDM_SCM), id="pdm-scm"
        ),
        pytest.param(
            '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n',
            ComputedVersion(VcsTool.SETUPTOOLS_SCM),
            id="setuptools-scm-in-requires",
        ),
        pytest.param(
            "[tool.setuptools_scm]\n", ComputedVersion(VcsTool.SETUPTOOLS_SCM), id="scm-table"
        ),
        pytest.param(
            '[build-system]\nrequires = ["poetry-core", "poetry-dynamic-versioning"]\n',
            ComputedVersion(VcsTool.POETRY_DYNAMIC_VERSIONING),
            id="poetry-dynamic-versioning",
        ),
        pytest.param(
            "[tool.versioningit]\n", ComputedVersion(VcsTool.VERSIONINGIT), id="versioningit"
        ),
        # setuptools-scm installed, but the version read from a file: written, not computed.
        pytest.param(
            '[build-system]\nrequires = ["setuptools", "setuptools-scm"]\n'
            '[tool.setuptools.dynamic]\nversion = {file = "VERSION"}\n',
            None,
            id="scm-installed-version-from-a-file",
        ),
        pytest.param('[tool.hatch.version]\npath = "src/a/__init__.py"\n', None, id="hatch-regex"),
    ],
)
def test_the_tool_that_computes_the_version(
    pyproject: str, expected: ComputedVersion | None
) -> None:
    assert computed_version(tomllib.loads(pyproject)) == expected


@pytest.mark.parametrize(
    ("computed", "expected"),
    [
        pytest.param(
            ComputedVersion(VcsTool.SETUPTOOLS_SCM),
            {
                "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_ACME_CORE_LIB": "1.3.0",
                "SETUPTOOLS_SCM_PRETEND_VERSION": "1.3.0",
            },
            id="setuptools-scm",
        ),
        pytest.param(
            ComputedVersion(VcsTool.UV_DYNAMIC_VERSIONING),
            {"UV_DYNAMIC_VERSIONING_BYPASS": "1.3.0"},
            id="uv-dynamic-versioning",
        ),
        pytest.param(
            ComputedVersion(VcsTool.POETRY_DYNAMIC_VERSIONING),
            {"POETRY_DYNAMIC_VERSIONING_BYPASS": "1.3.0"},
            id="poetry-dynamic-versioning",
        ),
        pytest.param(
            ComputedVersion(VcsTool.PDM_SCM), {"PDM_BUILD_SCM_VERSION": "1.3.0"}, id="pdm"
        ),
        pytest.param(
            ComputedVersion(VcsTool.HATCH_ENV, "ACME_VERSION"),
            {"ACME_VERSION": "1.3.0"},
            id="hatch-env",
        ),
        pytest.param(ComputedVersion(VcsTool.VERSIONINGIT), {}, id="versioningit-cannot"),
    ],
)
def test_each_tool_is_told_the_release_version(
    computed: ComputedVersion, expected: dict[str, str]
) -> None:
    assert override_environment(computed, "acme.core_Lib", "1.3.0") == expected
    assert computed.overridable == bool(expected)
