"""Secrets kept out of what the plugin shows: masked in text, split out of URLs (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "****"
# A PyPI API token (macaroon), wherever it appears.
_TOKEN = re.compile(r"pypi-AgE[A-Za-z0-9_-]{16,}")
_URL_PASSWORD = re.compile(r"(://[^/\s:@]+:)[^/\s@]+@")


def scrub_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret, every PyPI token and every password in a URL masked."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _TOKEN.sub(MASK, text)
    return _URL_PASSWORD.sub(rf"\g<1>{MASK}@", text)


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without the ``user:password@`` written into it, and that pair (``None`` when
    there is none): urllib would take it for part of the host."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.netloc.rpartition("@")[2]
    pair = (unquote(parts.username), unquote(parts.password or ""))
    return urlunsplit(parts._replace(netloc=netloc)), pair
