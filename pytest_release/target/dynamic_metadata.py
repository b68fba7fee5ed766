"""Metadata a build backend computes (``[project] dynamic``): which fields a package leaves
to its backend, and the package completed with what the backend said (PEP 517's
``prepare_metadata_for_build_wheel``, run by ``dists.prepared_metadata``). Pure: the reading
itself is passed in."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement

if TYPE_CHECKING:
    from pytest_release.target.monorepo import Package

# The [project] fields of requirements the checklist reads: the graph and the ranges.
DEPENDENCY_FIELDS = ("dependencies", "optional-dependencies")
_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class BackendMetadata:
    """What the backend's wheel metadata says: ``Version`` and each ``Requires-Dist``."""

    version: str | None
    requires_dist: tuple[str, ...]


class DynamicMetadataError(Exception):
    """The backend could not be asked; the message says what it said."""


# Reads a package's metadata from its backend; raises DynamicMetadataError.
MetadataReader = Callable[["Package"], BackendMetadata]


def backend_fields(package: Package) -> tuple[str, ...]:
    """The fields of ``package`` only its backend can say: dynamic dependencies, and a
    dynamic version no file holds (a version computed from git tags is the release's)."""
    fields = [name for name in DEPENDENCY_FIELDS if name in package.dynamic_fields]
    unreadable = package.version_text is None and package.computed_version is None
    if "version" in package.dynamic_fields and unreadable:
        fields.append("version")
    return tuple(fields)


def with_backend_metadata(package: Package, metadata: BackendMetadata) -> Package:
    """``package`` with the fields its backend computes filled in from ``metadata``."""
    fields = backend_fields(package)
    required, optional = _split_by_extra(metadata.requires_dist)
    package = replace(
        package,
        dependencies=required if "dependencies" in fields else package.dependencies,
        optional_dependencies=(
            optional if "optional-dependencies" in fields else package.optional_dependencies
        ),
    )
    if "version" not in fields or not metadata.version:
        return package
    return replace(
        package,
        version_text=metadata.version,
        version_source=f"{package.version_source}; its build backend says "
        f"{metadata.version} (prepare_metadata_for_build_wheel)",
        version_error=None,
    )


def _split_by_extra(
    lines: tuple[str, ...],
) -> tuple[tuple[Requirement, ...], dict[str, tuple[Requirement, ...]]]:
    """Requires-Dist lines as ``dependencies`` and ``optional-dependencies``: a line whose
    marker names an extra belongs to that extra."""
    required: list[Requirement] = []
    optional: dict[str, list[Requirement]] = {}
    for line in lines:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue  # the build gate's metadata check names it
        extra = _EXTRA.search(str(requirement.marker or ""))
        if extra is None:
            required.append(requirement)
        else:
            optional.setdefault(extra.group(1), []).append(requirement)
    return tuple(required), {name: tuple(each) for name, each in optional.items()}
