"""Where twine would find upload credentials for an index; no secret is ever returned or shown."""

from __future__ import annotations

import configparser
import enum
import importlib.util
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from pytest_release.index.names import TOKEN_VARIABLES, WELL_KNOWN_UPLOAD_URLS, UploadIndex
from pytest_release.redact import split_credentials

PYPI_UPLOAD_URLS = tuple(WELL_KNOWN_UPLOAD_URLS.values())
TOKEN_USERNAME = "__token__"
KEYRING_SECONDS = 10.0


class CredentialKind(enum.Enum):
    GENERATED = "generated"
    ROLE_TOKEN = "role token"
    URL = "url"
    SHARED_PASSWORD = "shared password"  # TWINE_PASSWORD: the same for every index
    PYPIRC = "pypirc"
    KEYRING = "keyring"
    TRUSTED_PUBLISHING = "trusted publishing"


@dataclass(frozen=True)
class CredentialSource:
    kind: CredentialKind
    where: str  # for the user: where the password is, never the password


def credential_source(
    index: UploadIndex,
    pypirc: configparser.RawConfigParser,
    environ: Mapping[str, str],
    role: str,
) -> CredentialSource | None:
    """Where twine would take the password from for ``role``'s upload ("testpypi" or
    "pypi"), or None when nowhere.

    The role's own token comes first; then twine's order: environment, ~/.pypirc,
    keyring, trusted publishing.
    """
    if index.is_local:
        return CredentialSource(CredentialKind.GENERATED, "generated for the local index")
    token = TOKEN_VARIABLES.get(role, "")
    if environ.get(token):
        return CredentialSource(CredentialKind.ROLE_TOKEN, f"{token} in the environment")
    if split_credentials(index.upload_url or "")[1] is not None:
        return CredentialSource(
            CredentialKind.URL, "the user name and password written into the index's URL"
        )
    if environ.get("TWINE_PASSWORD"):
        return CredentialSource(CredentialKind.SHARED_PASSWORD, "TWINE_PASSWORD in the environment")
    section = index.repository
    if section and pypirc.get(section, "password", fallback=""):
        return CredentialSource(CredentialKind.PYPIRC, f"password in ~/.pypirc [{section}]")
    username = environ.get("TWINE_USERNAME") or (
        pypirc.get(section, "username", fallback=None) if section else None
    )
    if username is None and _is_pypi(index):
        username = TOKEN_USERNAME  # twine's default on PyPI and TestPyPI
    if index.upload_url and _keyring_has(index.upload_url, username):
        return CredentialSource(CredentialKind.KEYRING, f"keyring entry for {index.upload_url}")
    identity = _ambient_identity(environ, index) if username == TOKEN_USERNAME else None
    if identity is not None:
        return CredentialSource(
            CredentialKind.TRUSTED_PUBLISHING, f"trusted publishing ({identity})"
        )
    return None


def _is_pypi(index: UploadIndex) -> bool:
    """twine's test: only these upload URLs get token usernames and trusted publishing."""
    return (index.upload_url or "").startswith(PYPI_UPLOAD_URLS)


def _keyring_has(url: str, username: str | None) -> bool:
    """Whether keyring holds a password for ``url``: asked for at most ``KEYRING_SECONDS``
    (a backend may wait for a desktop prompt no one answers), in a daemon thread that a
    hung backend cannot keep the session alive with."""
    if importlib.util.find_spec("keyring") is None:
        return False
    import keyring

    found: list[bool] = []

    def ask() -> None:
        try:
            credential = keyring.get_credential(url, username)
        except Exception:  # any backend failure means "not found"
            credential = None
        found.append(credential is not None and bool(credential.password))

    asking = threading.Thread(target=ask, name="keyring", daemon=True)
    asking.start()
    asking.join(KEYRING_SECONDS)
    return bool(found and found[0])


def _ambient_identity(environ: Mapping[str, str], index: UploadIndex) -> str | None:
    """The CI identity twine's trusted publishing would find (the ``id`` package's
    detectors, in their order), or None; only PyPI and TestPyPI take one."""
    if not _is_pypi(index):
        return None
    if (
        environ.get("GITHUB_ACTIONS") == "true"
        and environ.get("ACTIONS_ID_TOKEN_REQUEST_URL")
        and environ.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    ):
        return "GitHub Actions OIDC token"
    if environ.get("GOOGLE_SERVICE_ACCOUNT_NAME"):
        return "Google Cloud service account"
    if environ.get("BUILDKITE"):
        return "Buildkite OIDC token"
    if environ.get("GITLAB_CI"):
        # GitLab hands the token over in <AUDIENCE>_ID_TOKEN, audience "pypi" or "testpypi".
        audience = "TESTPYPI" if "test.pypi.org" in (index.upload_url or "") else "PYPI"
        variable = f"{audience}_ID_TOKEN"
        return f"GitLab CI id token {variable}" if environ.get(variable) else None
    if environ.get("CIRCLECI"):
        return "CircleCI OIDC token"
    return None


def missing_credentials_fix(index: UploadIndex, role: str) -> str:
    """The ways twine could find credentials for this index, and only those."""
    ways = [f"set {TOKEN_VARIABLES[role]} to an API token for this index alone"]
    if _is_pypi(index):
        ways.append("set TWINE_USERNAME=__token__ and TWINE_PASSWORD to an API token")
    else:
        ways.append("set TWINE_USERNAME and TWINE_PASSWORD")
    if index.repository or "://" not in index.label:
        ways.append(
            f"add a password to the [{index.repository or index.label}] section of ~/.pypirc"
        )
    ways.append(f"store the password with keyring for {index.upload_url}")
    if _is_pypi(index):
        ways.append(
            "publish with trusted publishing: from GitHub Actions (permissions: id-token: "
            "write), GitLab CI (id_tokens: PYPI_ID_TOKEN or TESTPYPI_ID_TOKEN), Google Cloud, "
            "Buildkite or CircleCI"
        )
    return ", or ".join(ways)
