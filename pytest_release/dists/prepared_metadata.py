"""A package's metadata as its build backend computes it (``[project] dynamic``): PEP 517's
``prepare_metadata_for_build_wheel`` through ``python -m build --metadata``, run on a copy of
the package's sources (so nothing is written into the target) with the release version told
to a tool that computes it. The answer is kept in the user's cache folder under a key of
everything it depends on: the files the build reads, the Python, the variables told."""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_release.dists.build import (
    Installer,
    build_environment,
    build_installer,
    copy_sources,
    source_listing,
)
from pytest_release.dists.build_cache import source_digest
from pytest_release.process import run_command
from pytest_release.target.dynamic_metadata import (
    BackendMetadata,
    DynamicMetadataError,
    MetadataReader,
)

if TYPE_CHECKING:
    from pytest_release.target.monorepo import Package

METADATA_SECONDS = 300.0
CACHE_FORMAT = "1"  # part of every key: a new format never reads an old answer


def user_cache_folder() -> Path:
    """pytest-release's folder of the user's cache (``XDG_CACHE_HOME``, else ``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pytest-release"


def metadata_reader(root: Path, cache: Path | None) -> MetadataReader:
    """Reads a package's metadata from its backend; answers kept under ``cache`` (None: not
    kept). What every read shares (the repository's file listing, the build environment)
    is found at the first read: most sessions never ask a backend."""

    @functools.cache
    def shared() -> tuple[list[str] | None, Installer, dict[str, str]]:
        installer = build_installer()
        return source_listing(root), installer, build_environment(installer)

    def read(package: Package) -> BackendMetadata:
        listing, installer, environment = shared()
        overrides = package.version_override
        with tempfile.TemporaryDirectory(prefix="pytest-release-metadata-") as scratch:
            copy = Path(scratch) / "source"
            source = copy_sources(root, package, listing, copy)
            # The copy is what the backend reads: its files are the key.
            kept = None if cache is None else cache / "metadata" / f"{_key(copy, overrides)}.json"
            if kept is not None and kept.is_file():
                try:
                    return _parsed(kept.read_text(encoding="utf-8"))
                except (OSError, DynamicMetadataError):
                    pass  # asked again below, and kept anew
            command = [sys.executable, "-m", "build", "--metadata", "--installer", installer]
            result = run_command(
                [*command, str(source)],
                timeout=METADATA_SECONDS,
                environment={**environment, **overrides},
                cwd=Path(scratch),
                separate_stderr=True,
                whole_stdout=True,
            )
        if not result.ok:
            errors = result.errors.strip().splitlines()[-8:]
            raise DynamicMetadataError(f"{result.describe()}: " + " / ".join(errors))
        metadata = _parsed(result.output)
        if kept is not None:
            _keep(kept, result.output)
        return metadata

    return read


def _parsed(text: str) -> BackendMetadata:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise DynamicMetadataError(f"its answer is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise DynamicMetadataError("its answer is not a JSON object")
    version, requires = data.get("version"), data.get("requires_dist", [])
    if not isinstance(requires, list) or not all(isinstance(each, str) for each in requires):
        raise DynamicMetadataError("its Requires-Dist is not a list of strings")
    return BackendMetadata(version if isinstance(version, str) else None, tuple(requires))


def _key(copy: Path, overrides: dict[str, str]) -> str:
    """A digest of what the backend's answer depends on: the files of ``copy`` (names and
    bytes), the Python, the variables told."""
    return source_digest(copy, [CACHE_FORMAT, sys.version, json.dumps(sorted(overrides.items()))])


def _keep(path: Path, text: str) -> None:
    """Write the answer whole or not at all: a reader never sees half of one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
        ) as partial:
            partial.write(text)
        Path(partial.name).replace(path)
    except OSError:
        pass  # a cache that cannot be written is only slower
