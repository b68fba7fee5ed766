"""Package indexes without a server: simple URLs, simple API listings, secrets, twine commands.

``.pypirc`` files are real ones in ``tmp_path``; the environments are passed explicitly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_release.index.names import (
    IndexFile,
    bypassing_proxy,
    htpasswd_line,
    index_conflict,
    parse_simple_html,
    parse_simple_json,
    read_pypirc,
    resolve_upload_index,
    simple_url_for,
    twine_batches,
    upload_credentials,
)
from pytest_release.index.opening import open_index
from pytest_release.index.package_index import UnknownIndexError
from pytest_release.index.remote import RemoteIndex
from pytest_release.redact import scrub_secrets, split_credentials

SHA_A = "a" * 64
SHA_B = "b" * 64
TOKEN = "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZi0xMjM0NTY3ODkw"
PYPIRC = """\
[distutils]
index-servers =
    pypi
    private

[pypi]
username = __token__
password = pypi-AgEIcHlwaS5vcmcSECRETfromPYPIRC

[private]
repository = https://nexus.example/repository/pypi-internal/
username = alice
password = s3cret-private
"""


@pytest.mark.parametrize(
    ("upload_url", "simple_url"),
    [
        ("https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
        ("https://upload.pypi.org/legacy", "https://pypi.org/simple/"),
        ("https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
        ("http://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
        ("https://pypi.example.org/legacy/", "https://pypi.example.org/simple/"),
        ("https://example.org/pypi/legacy", "https://example.org/pypi/simple/"),
        ("https://example.org/legacy-index/", "https://example.org/legacy-index/simple/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/simple/"),
        (
            "https://nexus.example/repository/pypi-internal/",
            "https://nexus.example/repository/pypi-internal/simple/",
        ),
        ("https://alice:pw@pypi.example.org/legacy/", "https://alice:pw@pypi.example.org/simple/"),
    ],
)
def test_simple_url_for(upload_url: str, simple_url: str) -> None:
    assert simple_url_for(upload_url) == simple_url


WAREHOUSE_HTML = f"""<!DOCTYPE html>
<html>
  <head><meta name="pypi:repository-version" content="1.1"><title>Links for demo</title></head>
  <body>
    <h1>Links for demo</h1>
    <a href="https://files.example/demo-1.0.tar.gz#sha256={SHA_A}"
       data-requires-python="&gt;=3.9">demo-1.0.tar.gz</a><br />
    <a href="../../packages/demo-1.0-py3-none-any.whl#sha256={SHA_B}"
       data-dist-info-metadata="sha256={SHA_A}">demo-1.0-py3-none-any.whl</a><br />
  </body>
</html>
"""


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        pytest.param(
            WAREHOUSE_HTML,
            [IndexFile("demo-1.0.tar.gz", SHA_A), IndexFile("demo-1.0-py3-none-any.whl", SHA_B)],
            id="warehouse",
        ),
        pytest.param(
            f'<a href="../../packages/demo_pkg-1.0.0-py3-none-any.whl#sha256={SHA_A}">'
            "demo_pkg-1.0.0-py3-none-any.whl</a><br>",
            [IndexFile("demo_pkg-1.0.0-py3-none-any.whl", SHA_A)],
            id="pypiserver",
        ),
        pytest.param(
            '<a href="/files/demo-1.0.tar.gz#md5=0123">demo-1.0.tar.gz</a>',
            [IndexFile("demo-1.0.tar.gz", "")],
            id="another-hash",
        ),
        pytest.param(
            '<a href="/files/demo-1.0.tar.gz">demo-1.0.tar.gz</a>',
            [IndexFile("demo-1.0.tar.gz", "")],
            id="no-hash",
        ),
        pytest.param(
            f'<a href="/files/demo%2B1-1.0.tar.gz#sha256={SHA_A}"></a>',
            [IndexFile("demo+1-1.0.tar.gz", SHA_A)],
            id="no-text-uses-the-url",
        ),
        pytest.param(
            '<a name="top">Top</a><a href="x-1.0.tar.gz">x-1.0.tar.gz</a>',
            [IndexFile("x-1.0.tar.gz", "")],
            id="anchor-without-href",
        ),
        pytest.param("<html><body><h1>Links</h1></body></html>", [], id="empty"),
    ],
)
def test_parse_simple_html(page: str, expected: list[IndexFile]) -> None:
    assert parse_simple_html(page) == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        pytest.param(
            {
                "meta": {"api-version": "1.1"},
                "name": "demo",
                "files": [
                    {"filename": "demo-1.0.tar.gz", "url": "x", "hashes": {"sha256": SHA_A}},
                    {
                        "filename": "demo-1.0-py3-none-any.whl",
                        "url": "y",
                        "hashes": {"md5": "0123", "sha256": SHA_B},
                        "yanked": False,
                    },
                ],
            },
            [IndexFile("demo-1.0.tar.gz", SHA_A), IndexFile("demo-1.0-py3-none-any.whl", SHA_B)],
            id="two-files",
        ),
        pytest.param(
            {"files": [{"filename": "demo-1.0.tar.gz", "hashes": {"md5": "0123"}}]},
            [IndexFile("demo-1.0.tar.gz", "")],
            id="no-sha256",
        ),
        pytest.param(
            {"files": [{"filename": "demo-1.0.tar.gz", "hashes": None}]},
            [IndexFile("demo-1.0.tar.gz", "")],
            id="hashes-not-a-table",
        ),
        pytest.param({"meta": {"api-version": "1.0"}, "files": []}, [], id="no-files"),
    ],
)
def test_parse_simple_json(page: object, expected: list[IndexFile]) -> None:
    assert parse_simple_json(json.dumps(page)) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"meta": {}}', id="no-files"),
        pytest.param("[]", id="a-list"),
        pytest.param('{"files": [{"url": "x"}]}', id="no-filename"),
        pytest.param('{"files": ["demo-1.0.tar.gz"]}', id="entry-not-a-table"),
        pytest.param("<html></html>", id="not-json"),
    ],
)
def test_parse_simple_json_refuses_what_is_not_a_project_page(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - json's own error is a ValueError too
        parse_simple_json(text)


@pytest.mark.parametrize(
    ("text", "secrets", "expected"),
    [
        ("password is hunter22", ["hunter22"], "password is ****"),
        ("hunter22 hunter22", ["hunter22"], "**** ****"),
        ("a longer secret: abc123-long", ["abc123", "abc123-long"], "a longer secret: ****"),
        ("nothing to hide", ["", "absent"], "nothing to hide"),
        (f"token {TOKEN} rejected", [], "token **** rejected"),
        ("demo_pkg-1.0 from pypi-simple-helper", [], "demo_pkg-1.0 from pypi-simple-helper"),
        (
            "POST https://alice:s3cret@nexus.example/legacy/ failed",
            [],
            "POST https://alice:****@nexus.example/legacy/ failed",
        ),
        ("http://127.0.0.1:8080/simple/", [], "http://127.0.0.1:8080/simple/"),
    ],
)
def test_scrub_secrets(text: str, secrets: list[str], expected: str) -> None:
    assert scrub_secrets(text, secrets) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://pypi.org/simple/demo/", ("https://pypi.org/simple/demo/", None)),
        (
            "https://alice:s%40cret@nexus.example:8443/simple/demo/",
            ("https://nexus.example:8443/simple/demo/", ("alice", "s@cret")),
        ),
        ("https://token@nexus.example/simple/", ("https://nexus.example/simple/", ("token", ""))),
    ],
)
def test_split_credentials(url: str, expected: tuple[str, tuple[str, str] | None]) -> None:
    assert split_credentials(url) == expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(["a.whl"], [["a.whl"]], id="one"),
        pytest.param(
            ["core.whl", "core.tar.gz", "meta.whl", "meta.tar.gz"],
            [["core.whl", "core.tar.gz"], ["meta.whl", "meta.tar.gz"]],
            id="wheel-first-per-package",
        ),
        pytest.param(
            ["core.tar.gz", "core.whl", "meta.tar.gz", "meta.whl"],
            [["core.tar.gz"], ["core.whl", "meta.tar.gz"], ["meta.whl"]],
            id="sdist-first-per-package",
        ),
        pytest.param(
            ["a.whl", "b.whl", "a.tar.gz", "b.tar.gz"],
            [["a.whl", "b.whl", "a.tar.gz", "b.tar.gz"]],
            id="twine-order-already",
        ),
        pytest.param(["a.tar.gz", "b.tar.gz"], [["a.tar.gz", "b.tar.gz"]], id="sdists-only"),
        pytest.param([], [], id="nothing"),
    ],
)
def test_twine_batches_keep_the_order_given(names: list[str], expected: list[list[str]]) -> None:
    batches = twine_batches(Path("/dists") / name for name in names)
    assert [[path.name for path in batch] for batch in batches] == expected


@pytest.mark.parametrize(
    ("environment", "upper", "lower"),
    [
        ({}, "127.0.0.1,localhost", "127.0.0.1,localhost"),
        (
            {"NO_PROXY": "corp.example, .internal"},
            "corp.example,.internal,127.0.0.1,localhost",
            "127.0.0.1,localhost",
        ),
        ({"no_proxy": "localhost,127.0.0.1"}, "127.0.0.1,localhost", "localhost,127.0.0.1"),
    ],
)
def test_bypassing_proxy(environment: dict[str, str], upper: str, lower: str) -> None:
    result = bypassing_proxy({"HTTP_PROXY": "http://proxy:3128", **environment})
    assert result == {"HTTP_PROXY": "http://proxy:3128", "NO_PROXY": upper, "no_proxy": lower}


@pytest.mark.parametrize(
    ("username", "password", "line"),
    [  # the values `htpasswd -nbs` prints
        ("release", "password", "release:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n"),
        ("alice", "", "alice:{SHA}2jmj7l5rSw0yVb/vlWAYkK/YBwk=\n"),
    ],
)
def test_htpasswd_line(username: str, password: str, line: str) -> None:
    assert htpasswd_line(username, password) == line


# --- remote indexes by name -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "environ", "expected"),
    [
        pytest.param(
            "testpypi",
            {},
            ("testpypi", "https://test.pypi.org/simple/", "https://test.pypi.org/legacy/", None),
            id="testpypi-well-known",
        ),
        pytest.param(
            "pypi",
            {},
            ("pypi", "https://pypi.org/simple/", "https://upload.pypi.org/legacy/", "pypi"),
            id="pypi-from-pypirc",
        ),
        pytest.param(
            "private",
            {},
            (
                "private",
                "https://nexus.example/repository/pypi-internal/simple/",
                "https://nexus.example/repository/pypi-internal/",
                "private",
            ),
            id="pypirc-section",
        ),
        pytest.param(
            "https://nexus.example/repository/pypi-internal/",
            {},
            (
                "https://nexus.example/repository/pypi-internal/",
                "https://nexus.example/repository/pypi-internal/simple/",
                "https://nexus.example/repository/pypi-internal/",
                "private",
            ),
            id="url-of-a-pypirc-section",
        ),
        pytest.param(
            "https://upload.example.net/legacy/",
            {"RELEASE_TESTPYPI_SIMPLE_URL": "https://mirror.example.net/pypi/simple"},
            (
                "https://upload.example.net/legacy/",
                "https://mirror.example.net/pypi/simple/",
                "https://upload.example.net/legacy/",
                None,
            ),
            id="simple-url-overridden",
        ),
        pytest.param(
            "testpypi",
            {"RELEASE_PYPI_SIMPLE_URL": "https://elsewhere.example/simple/"},
            ("testpypi", "https://test.pypi.org/simple/", "https://test.pypi.org/legacy/", None),
            id="the-other-role-s-override-does-not-apply",
        ),
    ],
)
def test_open_index_names_a_remote_index(
    tmp_path: Path, label: str, environ: dict[str, str], expected: tuple[str, str, str, str | None]
) -> None:
    (tmp_path / ".pypirc").write_text(PYPIRC, encoding="utf-8")

    def no_scratch() -> Path:
        raise AssertionError("a remote index needs no scratch folder")

    index = open_index(label, "testpypi", no_scratch, home=tmp_path, environ=environ)
    assert isinstance(index, RemoteIndex)
    assert (index.label, index.simple_url, index.upload_url, index.repository) == expected
    assert "s3cret" not in repr(index)
    assert "SECRET" not in repr(index)


def test_an_unknown_index_name_says_how_to_name_one(tmp_path: Path) -> None:
    with pytest.raises(UnknownIndexError) as raised:
        open_index("nexus", "pypi", Path, home=tmp_path, environ={})
    message = str(raised.value)
    assert "'nexus' is neither an upload URL nor a repository of ~/.pypirc" in message
    assert "add a section with a `repository` URL to ~/.pypirc" in message


# -- sha256 in either case, credentials per index, and the two indexes kept apart ----------

UPPER = "AB" * 32


def test_a_sha256_listed_in_upper_case_is_the_same_digest() -> None:
    html = f'<a href="/p/x-1.0.tar.gz#sha256={UPPER}">x-1.0.tar.gz</a>'
    page = {"files": [{"filename": "x-1.0.tar.gz", "hashes": {"sha256": UPPER}}]}
    expected = [IndexFile("x-1.0.tar.gz", UPPER.lower())]
    assert parse_simple_html(html) == expected
    assert parse_simple_json(json.dumps(page)) == expected


SHARED = {"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": "shared", "TWINE_REPOSITORY": "x"}


@pytest.mark.parametrize(
    ("role", "url", "environ", "expected"),
    [
        pytest.param(
            "testpypi",
            "https://test.pypi.org/legacy/",
            {**SHARED, "RELEASE_TESTPYPI_TOKEN": "t-token", "RELEASE_PYPI_TOKEN": "p-token"},
            {"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": "t-token"},
            id="the-roles-own-token",
        ),
        pytest.param(
            "pypi",
            "https://u:in-url@private.example/legacy/",
            SHARED,
            {"TWINE_USERNAME": "u", "TWINE_PASSWORD": "in-url"},
            id="written-into-the-url",
        ),
        pytest.param(
            "pypi",
            "https://upload.pypi.org/legacy/",
            {**SHARED, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc", "HOME": "/root"},
            {
                "TWINE_USERNAME": "__token__",
                "TWINE_PASSWORD": "shared",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc",
            },
            id="twines-own-variables-but-the-index",
        ),
        pytest.param(
            "pypi",
            "https://upload.pypi.org/legacy/",
            {"GITLAB_CI": "true", "PYPI_ID_TOKEN": "gl-oidc", "CI_JOB_TOKEN": "job", "HOME": "/"},
            {"PYPI_ID_TOKEN": "gl-oidc"},  # GITLAB_CI is no secret: every child keeps it
            id="gitlab-trusted-publishing",
        ),
    ],
)
def test_an_upload_gets_its_own_indexs_credentials(
    role: str, url: str, environ: dict[str, str], expected: dict[str, str]
) -> None:
    assert upload_credentials(role, url, environ) == expected


def test_a_remote_index_names_no_credential_on_twines_command_line() -> None:
    index = RemoteIndex(
        "u", "https://private.example/simple/", "https://u:in-url@private.example/legacy/"
    )
    assert index._twine_target() == ["--repository-url", "https://private.example/legacy/"]


@pytest.mark.parametrize(
    ("testpypi", "pypi", "conflict"),
    [
        ("testpypi", "pypi", None),
        ("local", "local", None),
        ("local", "pypi", None),
        ("pypi", "pypi", "is the production PyPI"),
        ("https://upload.pypi.org/legacy", "https://private.example/legacy/", "production PyPI"),
        ("https://a.example/legacy/", "https://a.example/legacy", "name the same index"),
        ("https://u:p@a.example/legacy/", "https://a.example/legacy/", "name the same index"),
    ],
)
def test_the_staging_index_is_never_the_production_one(
    testpypi: str, pypi: str, conflict: str | None
) -> None:
    empty = read_pypirc(Path("/nonexistent"))
    found = index_conflict(resolve_upload_index(testpypi, empty), resolve_upload_index(pypi, empty))
    assert (found is None) if conflict is None else (found is not None and conflict in found)
    assert "u:p@" not in (found or "")
