"""Where twine would find upload credentials for an index; no secret is ever returned or shown."""

from __future__ import annotations

import configparser
import importlib.util
from collections.abc import Mapping

from pytest_release.index import UploadIndex

TRUSTED_PUBLISHING_HOSTS = ("upload.pypi.org", "test.pypi.org")


def credential_source(
    index: UploadIndex, pypirc: configparser.RawConfigParser, environ: Mapping[str, str]
) -> str | None:
    """A description of where twine would take the password from, or None when nowhere.

    The order is twine's: environment, ~/.pypirc, keyring, then trusted publishing.
    """
    if index.is_local:
        return "generated for the local index"
    if environ.get("TWINE_PASSWORD"):
        return "TWINE_PASSWORD in the environment"
    section = index.repository
    if section and pypirc.get(section, "password", fallback=""):
        return f"password in ~/.pypirc [{section}]"
    username = environ.get("TWINE_USERNAME") or (
        pypirc.get(section, "username", fallback=None) if section else None
    )
    if index.upload_url and _keyring_has(index.upload_url, username):
        return f"keyring entry for {index.upload_url}"
    if _trusted_publishing_available(index, environ):
        return "trusted publishing (GitHub Actions OIDC token)"
    return None


def _keyring_has(url: str, username: str | None) -> bool:
    if importlib.util.find_spec("keyring") is None:
        return False
    import keyring

    try:
        credential = keyring.get_credential(url, username)
    except Exception:  # any backend failure means "not found"
        return False
    return credential is not None and bool(credential.password)


def _trusted_publishing_available(index: UploadIndex, environ: Mapping[str, str]) -> bool:
    in_actions = environ.get("GITHUB_ACTIONS") == "true"
    has_oidc = bool(environ.get("ACTIONS_ID_TOKEN_REQUEST_URL")) and bool(
        environ.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    )
    url = index.upload_url or ""
    return in_actions and has_oidc and any(host in url for host in TRUSTED_PUBLISHING_HOSTS)


def missing_credentials_fix(index: UploadIndex) -> str:
    section = index.repository or index.label
    return (
        "set TWINE_USERNAME=__token__ and TWINE_PASSWORD to an API token for this index, "
        f"or add a password to the [{section}] section of ~/.pypirc, or store the token "
        "with keyring, or publish from GitHub Actions with trusted publishing "
        "(permissions: id-token: write)"
    )
