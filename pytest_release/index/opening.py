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
    upload_credentials,
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
    that is set, else from its upload URL, and its twine gets the role's credentials."""
    if label == LOCAL:
        return start_local_index(scratch())
    environ = os.environ if environ is None else environ
    pypirc = read_pypirc(home or Path.home())
    override = environ.get(SIMPLE_URL_VARIABLES.get(role, ""), "") or None
    index = resolve_upload_index(label, pypirc)
    credentials = upload_credentials(role, index.upload_url or "", environ)
    return remote_index(index, pypirc, simple_url=override, credentials=credentials)
