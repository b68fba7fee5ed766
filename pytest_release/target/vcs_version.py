"""Versions computed from git tags at build time (setuptools-scm, hatch-vcs,
uv-dynamic-versioning, poetry-dynamic-versioning, pdm-backend's scm source, hatch's env
source): which tool computes a package's version, and how each is told the release version
instead (its own override variable), so that builds, editable installs and metadata reads of
an untagged commit make the release, not ``1.2.1.dev3+g1234abc``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pytest_release.target.pyproject import nested, strings, table


class VcsTool(Enum):
    SETUPTOOLS_SCM = "setuptools-scm"
    HATCH_VCS = "hatch-vcs"
    UV_DYNAMIC_VERSIONING = "uv-dynamic-versioning"
    POETRY_DYNAMIC_VERSIONING = "poetry-dynamic-versioning"
    PDM_SCM = "pdm-backend (source = scm)"
    HATCH_ENV = "hatch (source = env)"
    VERSIONINGIT = "versioningit"


@dataclass(frozen=True)
class ComputedVersion:
    """A version the build computes: by which tool, and (hatch's env source) from which
    variable."""

    tool: VcsTool
    variable: str | None = None

    @property
    def overridable(self) -> bool:
        """Whether the tool can be told the version (versioningit cannot)."""
        return self.tool is not VcsTool.VERSIONINGIT

    @property
    def fix(self) -> str:
        """How the gates get the version of a package computed so."""
        if not self.overridable:
            return (
                "compute it with a tool the release version can be given to (setuptools-scm, "
                "hatch-vcs, uv-dynamic-versioning, pdm-backend's scm source), or write it "
                'statically (version = "X.Y.Z" under [project])'
            )
        if self.tool is VcsTool.HATCH_ENV and self.variable is None:
            return 'name it: variable = "NAME" under [tool.hatch.version]'
        return "give the release version: pytest release_tests --release-version X.Y.Z"


_HATCH_SOURCES = {
    "vcs": VcsTool.HATCH_VCS,
    "uv-dynamic-versioning": VcsTool.UV_DYNAMIC_VERSIONING,
    "versioningit": VcsTool.VERSIONINGIT,
}


def computed_version(data: dict[str, Any]) -> ComputedVersion | None:
    """How the build computes the version of the project ``data`` describes (its parsed
    pyproject.toml), when a tool computes it from git (or hatch from a variable); None
    when the version is written somewhere."""
    tool = table(data, "tool")
    hatch_source = nested(tool, "hatch", "version").get("source")
    if hatch_source == "env":
        variable = nested(tool, "hatch", "version").get("variable")
        return ComputedVersion(VcsTool.HATCH_ENV, variable if isinstance(variable, str) else None)
    if isinstance(hatch_source, str) and hatch_source in _HATCH_SOURCES:
        return ComputedVersion(_HATCH_SOURCES[hatch_source])
    if nested(tool, "pdm", "version").get("source") == "scm":
        return ComputedVersion(VcsTool.PDM_SCM)
    requires = " ".join(strings(table(data, "build-system").get("requires"))).lower()
    if "poetry-dynamic-versioning" in tool or "poetry-dynamic-versioning" in requires:
        return ComputedVersion(VcsTool.POETRY_DYNAMIC_VERSIONING)
    if "versioningit" in tool:
        return ComputedVersion(VcsTool.VERSIONINGIT)
    if "version" in nested(tool, "setuptools", "dynamic"):
        return None
    if {"setuptools_scm", "setuptools-scm"} & set(tool) or (
        "setuptools" in requires and ("setuptools-scm" in requires or "setuptools_scm" in requires)
    ):
        return ComputedVersion(VcsTool.SETUPTOOLS_SCM)
    return None


def override_environment(computed: ComputedVersion, name: str, version: str) -> dict[str, str]:
    """The variables that make ``computed``'s tool give the package ``name`` the version
    ``version`` (empty when the tool has none)."""
    tool = computed.tool
    if tool in (VcsTool.SETUPTOOLS_SCM, VcsTool.HATCH_VCS):
        # The per-distribution form where the tool knows the name; the plain one for
        # hatch-vcs, which may not pass it. Every package computed so is at the release.
        per_package = "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_" + re.sub(r"[-_.]+", "_", name).upper()
        return {per_package: version, "SETUPTOOLS_SCM_PRETEND_VERSION": version}
    if tool is VcsTool.UV_DYNAMIC_VERSIONING:
        return {"UV_DYNAMIC_VERSIONING_BYPASS": version}
    if tool is VcsTool.POETRY_DYNAMIC_VERSIONING:
        return {"POETRY_DYNAMIC_VERSIONING_BYPASS": version}
    if tool is VcsTool.PDM_SCM:
        return {"PDM_BUILD_SCM_VERSION": version}
    if tool is VcsTool.HATCH_ENV and computed.variable:
        return {computed.variable: version}
    return {}
