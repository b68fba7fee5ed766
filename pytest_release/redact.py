"""Release secrets: which variables of the environment hold them, and their masking in every
form they can take in text (pure).

A release secret is what lets someone publish or push in the user's name: twine's
credentials, an index token, a CI token, the OIDC request token of trusted publishing.
The credentials written into the user's install-index URLs (``PIP_INDEX_URL`` ...) are
kept apart: installers need them, nothing else does. Every form of a known secret is
masked in text: as written, percent-encoded, inside HTTP Basic auth (base64), and any
userinfo of a URL (``https://TOKEN@host/``, ``https://user:pass@host/``).
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterable, Mapping
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MASK = "****"
# Variables of twine, tokens of indexes and CIs, and trusted publishing's OIDC request.
_SECRET_NAME = re.compile(
    r"^(TWINE_\w+|GITHUB_TOKEN|GH_TOKEN|GITLAB_TOKEN|CI_JOB_TOKEN|CI_JOB_JWT\w*"
    r"|ACTIONS_ID_TOKEN_REQUEST_\w+|ACTIONS_RUNTIME_TOKEN|FLIT_PASSWORD|POETRY_PYPI_TOKEN_\w+"
    r"|BUILDKITE_AGENT_ACCESS_TOKEN|CIRCLE_OIDC_TOKEN\w*"
    r"|POETRY_HTTP_BASIC_\w+_PASSWORD|HATCH_INDEX_AUTH|PDM_PUBLISH_PASSWORD|UV_PUBLISH_\w+"
    r"|(RELEASE|PYPI|TESTPYPI|TEST_PYPI)_\w*(TOKEN|PASSWORD|SECRET)\w*"
    r"|\w*PYPI\w*_(TOKEN|PASSWORD)|\w*_PYPI_API_TOKEN)$"
)
# The user's install indexes: their credentials are for installers only.
INSTALL_INDEX_VARIABLES = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
    "UV_FIND_LINKS",
)
# A PyPI API token (macaroon), wherever it appears.
_TOKEN = re.compile(r"pypi-AgE[A-Za-z0-9_-]{16,}")
# The userinfo of a URL: "user:pass@" (the user name is kept) or "token@".
_USERINFO = re.compile(
    r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?:(?P<user>[^/\s:@]*):)?[^/\s@]+@"
)
_MIN_SECRET = 6  # shorter values ("1", "true") are not masked: they would mask everything
_registered: set[str] = set()  # secrets made in this process (the local index's password)
_lock = threading.Lock()


def is_release_secret(name: str, value: str) -> bool:
    """Whether the environment variable ``name`` holds a release secret."""
    return bool(_SECRET_NAME.match(name.upper()) or _TOKEN.search(value))


def release_secrets(environ: Mapping[str, str]) -> set[str]:
    """The release secrets ``environ`` holds (values; a user name is none), and the
    userinfo of their URLs."""
    found = {
        value
        for name, value in environ.items()
        if is_release_secret(name, value) and not name.upper().endswith(("USERNAME", "_USER"))
    }
    return {secret for value in found for secret in (value, *userinfo_secrets(value))}


def install_secrets(environ: Mapping[str, str]) -> set[str]:
    """The credentials written into the user's install-index URLs."""
    return {
        secret
        for name in INSTALL_INDEX_VARIABLES
        for secret in userinfo_secrets(environ.get(name, ""))
    }


def userinfo_secrets(text: str) -> set[str]:
    """The passwords and tokens written into the URLs of ``text`` (a username alone, as in
    ``https://TOKEN@host``, is a token)."""
    found: set[str] = set()
    for word in text.replace(",", " ").split():
        if "://" not in word:
            continue
        try:
            parts = urlsplit(word)
            username, password = parts.username, parts.password
        except ValueError:
            continue
        if password:
            found.add(unquote(password))
        elif username:
            found.add(unquote(username))
    return found


def register_secret(secret: str) -> None:
    """Mask ``secret`` in everything this process shows from now on (a password it made)."""
    with _lock:
        _registered.add(secret)


def known_secrets(environ: Mapping[str, str]) -> set[str]:
    """Every secret this process knows of: release secrets, install-index credentials,
    and those it registered."""
    with _lock:
        registered = set(_registered)
    return release_secrets(environ) | install_secrets(environ) | registered


def _forms(secret: str) -> set[str]:
    """The ways ``secret`` can be written in text: as is, percent-encoded, and the part of
    its base64 that does not depend on what comes before or after it (HTTP Basic auth)."""
    forms = {secret, quote(secret, safe=""), quote(secret)}
    raw = secret.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw + b"\0\0").decode()
        start = 4 if offset else 0  # the first group mixes in what came before
        end = (offset + len(raw)) // 3 * 4  # the groups made of the secret's bytes alone
        if end - start >= 8:
            forms.add(encoded[start:end])
    return {form for form in forms if len(form) >= _MIN_SECRET}


def scrub_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of every secret of ``secrets`` masked, and every PyPI token
    and every URL's userinfo."""
    forms = {form for secret in secrets if len(secret) >= _MIN_SECRET for form in _forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    text = _TOKEN.sub(MASK, text)
    return _USERINFO.sub(_masked_userinfo, text)


def _masked_userinfo(match: re.Match[str]) -> str:
    user = match["user"]
    return f"{match['scheme']}{user + ':' if user is not None else ''}{MASK}@"


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without the ``user:password@`` written into it, and that pair (``None`` when
    there is none): urllib would take it for part of the host."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.netloc.rpartition("@")[2]
    pair = (unquote(parts.username), unquote(parts.password or ""))
    return urlunsplit(parts._replace(netloc=netloc)), pair
