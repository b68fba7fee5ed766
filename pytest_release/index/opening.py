"""Opening an index by the name a user gave it: ``local``, a ~/.pypirc repository, or an
upload URL."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from pytest_release.index.local import start_local_index
from pytest_release.index.names import (
    LOCAL,
    SIMPLE_URL_VARIABLES,
    read_pypirc,
    resolve_upload_index,
)
from pytest_release.index.package_index import PackageIndex
from pytest_release.index.remote import remote_index


def open_index(
    label: str,
    role: str,
    scratch: Callable[[], Path],
    *,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> PackageIndex:
    """The index named ``label`` for ``role`` ("testpypi" or "pypi"): ``local`` starts one
    in ``scratch()``; a remote one's simple URL comes from RELEASE_<ROLE>_SIMPLE_URL when
    that is set, else from its upload URL."""
    if label == LOCAL:
        return start_local_index(scratch())
    pypirc = read_pypirc(home or Path.home())
    variable = SIMPLE_URL_VARIABLES.get(role)
    override = (os.environ if environ is None else environ).get(variable or "") or None
    return remote_index(resolve_upload_index(label, pypirc), pypirc, simple_url=override)
