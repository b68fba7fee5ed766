"""Release secrets: which variables hold them, and their masking in every form."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from pytest_release.redact import (
    MASK,
    install_secrets,
    is_release_secret,
    known_secrets,
    register_secret,
    release_secrets,
    scrub_secrets,
    userinfo_secrets,
)

SECRET = "s3cret/pass:word!"


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("TWINE_PASSWORD", "x", True),
        ("TWINE_USERNAME", "__token__", True),
        ("GITHUB_TOKEN", "x", True),
        ("GH_TOKEN", "x", True),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "x", True),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://x", True),
        ("RELEASE_TESTPYPI_TOKEN", "x", True),
        ("PYPI_API_TOKEN", "x", True),
        ("TEST_PYPI_API_TOKEN", "x", True),
        ("CI_JOB_TOKEN", "x", True),
        ("ANYTHING", "pypi-AgEIcHlwaS5vcmcAAAAAAAAAAAAAAA", True),  # a token by its shape
        ("PATH", "/usr/bin", False),
        ("RELEASE_VERSION", "1.4.0", False),
        ("PIP_INDEX_URL", "https://u:p@mirror/simple", False),  # an install credential
    ],
)
def test_release_secrets_by_name_or_shape(name: str, value: str, secret: bool) -> None:
    assert is_release_secret(name, value) is secret


def test_the_secrets_of_an_environment() -> None:
    environ = {
        "TWINE_PASSWORD": "pw",
        "TWINE_REPOSITORY_URL": "https://user:in-url@idx/legacy/",
        "PIP_INDEX_URL": "https://TOKENONLY@mirror/simple https://a:b%40c@other/simple",
        "HOME": "/root",
    }
    assert release_secrets(environ) == {"pw", "https://user:in-url@idx/legacy/", "in-url"}
    assert install_secrets(environ) == {"TOKENONLY", "b@c"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("https://u:p@h/ and https://TOKEN@g/", {"p", "TOKEN"}),
        ("https://h/simple", set()),
        ("not a url u:p@h", set()),
        ("https://[broken", set()),
    ],
)
def test_userinfo_secrets(text: str, found: set[str]) -> None:
    assert userinfo_secrets(text) == found


@pytest.mark.parametrize(
    "shown",
    [
        pytest.param(SECRET, id="raw"),
        pytest.param(quote(SECRET, safe=""), id="percent-encoded"),
        pytest.param(quote(SECRET), id="percent-encoded-path"),
        *(
            pytest.param(base64.b64encode(f"{user}:{SECRET}".encode()).decode(), id=f"basic-{user}")
            for user in ("a", "ab", "abc", "__token__")
        ),
    ],
)
def test_every_form_of_a_known_secret_is_masked(shown: str) -> None:
    scrubbed = scrub_secrets(f"before {shown} after", [SECRET])
    assert MASK in scrubbed
    assert SECRET not in scrubbed
    assert shown not in scrubbed
    assert scrubbed.startswith("before ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("https://alice:pw@h/x", f"https://alice:{MASK}@h/x", id="user-and-password"),
        pytest.param("https://TOKENONLY@h/x", f"https://{MASK}@h/x", id="token-only"),
        pytest.param("git@github.com:o/r", "git@github.com:o/r", id="scp-form-untouched"),
        pytest.param(
            "key pypi-AgEIcHlwaS5vcmcAAAAAAAAAAAAAAA end", f"key {MASK} end", id="pypi-token"
        ),
    ],
)
def test_urls_and_tokens_are_masked_whoever_knows_them(text: str, expected: str) -> None:
    assert scrub_secrets(text, []) == expected


def test_short_values_are_not_masked_everywhere() -> None:
    assert scrub_secrets("1 true 0", ["1", "true"]) == "1 true 0"


def test_a_registered_secret_is_known() -> None:
    register_secret("made-in-this-process-91ab")
    assert "made-in-this-process-91ab" in known_secrets({})
