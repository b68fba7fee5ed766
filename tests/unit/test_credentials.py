"""Where twine would find upload credentials: environment, ~/.pypirc, keyring, trusted publishing.

Real ``.pypirc`` files in ``tmp_path`` (the HOME of these tests), environments passed
explicitly, and real keyring backends chosen through PYTHON_KEYRING_BACKEND.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.null
import keyring.core
import pytest

from pytest_release.checks.credentials import credential_source, missing_credentials_fix
from pytest_release.index.names import (
    UploadIndex,
    read_pypirc,
    resolve_upload_index,
    unread_by_twine,
)

PYPI_URL = "https://upload.pypi.org/legacy/"
TESTPYPI_URL = "https://test.pypi.org/legacy/"
PRIVATE_URL = "https://pypi.example.org/legacy/"
OTHER_URL = "https://upload.example.net/simple/"

PYPI_SECRET = "pypi-AgEIcHlwaS5vcmcSECRETfromPYPIRC"
PRIVATE_SECRET = "s3cret%from-pypirc"
ENV_SECRET = "pypi-AgEIcHlwaS5vcmcSECRETfromENV"
KEYRING_SECRET = "pypi-AgEIcHlwaS5vcmcSECRETfromKEYRING"
OIDC_SECRET = "oidc-request-token-SECRET"
SECRETS = (PYPI_SECRET, PRIVATE_SECRET, ENV_SECRET, KEYRING_SECRET, OIDC_SECRET)

# A ~/.pypirc as twine documents it: passwords for pypi and private, none for testpypi.
PYPIRC_WITH_PASSWORDS = f"""\
[distutils]
index-servers =
    pypi
    testpypi
    private

[pypi]
username = __token__
password = {PYPI_SECRET}

[testpypi]
username = __token__

[private]
repository = {PRIVATE_URL}
username = alice
password = {PRIVATE_SECRET}
"""

# The same indexes, usernames only: the passwords live elsewhere.
PYPIRC_USERNAMES_ONLY = f"""\
[distutils]
index-servers =
    pypi
    testpypi
    private

[pypi]
username = __token__

[testpypi]
repository = {TESTPYPI_URL}
username = __token__

[private]
repository = {PRIVATE_URL}
username = alice
password =
"""

OIDC = {
    "GITHUB_ACTIONS": "true",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://pipelines.actions.githubusercontent.com/abc/token",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": OIDC_SECRET,
}

KEYRING_MODULE = "pytest_release_unit_keyring"
KEYRING_SOURCE = '''\
"""A keyring backend that keeps passwords in a dict, for the tests."""

from keyring.backend import KeyringBackend


class DictKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.passwords = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[service, username] = password

    def delete_password(self, service, username):
        del self.passwords[service, username]
'''


def write_pypirc(home: Path, text: str | None) -> None:
    if text is not None:
        (home / ".pypirc").write_text(text, encoding="utf-8")


def source_for(home: Path, label: str, environ: dict[str, str], role: str = "pypi") -> str | None:
    pypirc = read_pypirc(home)
    source = credential_source(resolve_upload_index(label, pypirc), pypirc, environ, role)
    return None if source is None else source.where


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's keyring stays out: the null backend, unless a test loads another."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    keyring.core.init_backend()
    yield
    keyring.core.set_keyring(keyring.core.load_keyring("keyring.backends.null.Keyring"))


@pytest.fixture
def dict_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> keyring.backend.KeyringBackend:
    """A real backend module, loaded by keyring itself from PYTHON_KEYRING_BACKEND."""
    folder = tmp_path / "backends"
    folder.mkdir()
    (folder / f"{KEYRING_MODULE}.py").write_text(KEYRING_SOURCE, encoding="utf-8")
    monkeypatch.syspath_prepend(folder)
    monkeypatch.delitem(sys.modules, KEYRING_MODULE, raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"{KEYRING_MODULE}.DictKeyring")
    keyring.core.init_backend()
    backend = keyring.get_keyring()
    assert type(backend).__module__ == KEYRING_MODULE
    return backend


# --- resolve_upload_index and read_pypirc --------------------------------------------------


@pytest.mark.parametrize(
    ("label", "pypirc", "expected", "described"),
    [
        pytest.param(
            "local", None, UploadIndex("local", None, None), "the local index", id="local"
        ),
        pytest.param(
            "pypi", None, UploadIndex("pypi", None, PYPI_URL), f"pypi ({PYPI_URL})", id="pypi-bare"
        ),
        pytest.param(
            "testpypi",
            None,
            UploadIndex("testpypi", None, TESTPYPI_URL),
            f"testpypi ({TESTPYPI_URL})",
            id="testpypi-bare",
        ),
        pytest.param(
            "pypi",
            PYPIRC_WITH_PASSWORDS,
            UploadIndex("pypi", "pypi", PYPI_URL),
            f"pypi ({PYPI_URL})",
            id="pypi-section-without-repository",
        ),
        pytest.param(
            "private",
            PYPIRC_WITH_PASSWORDS,
            UploadIndex("private", "private", PRIVATE_URL),
            f"private ({PRIVATE_URL})",
            id="pypirc-section",
        ),
        pytest.param(
            "testpypi",
            "[testpypi]\nrepository = https://mirror.example/legacy/\n",
            UploadIndex("testpypi", "testpypi", "https://mirror.example/legacy/"),
            "testpypi (https://mirror.example/legacy/)",
            id="section-overrides-well-known-url",
        ),
        pytest.param(
            PRIVATE_URL,
            PYPIRC_WITH_PASSWORDS,
            UploadIndex(PRIVATE_URL, "private", PRIVATE_URL),
            f"{PRIVATE_URL}",
            id="url-of-a-section",
        ),
        pytest.param(
            PRIVATE_URL.rstrip("/"),
            PYPIRC_WITH_PASSWORDS,
            UploadIndex(PRIVATE_URL.rstrip("/"), "private", PRIVATE_URL.rstrip("/")),
            PRIVATE_URL.rstrip("/"),
            id="url-of-a-section-without-trailing-slash",
        ),
        pytest.param(
            OTHER_URL,
            PYPIRC_WITH_PASSWORDS,
            UploadIndex(OTHER_URL, None, OTHER_URL),
            OTHER_URL,
            id="url-of-no-section",
        ),
        pytest.param(
            "nexus",
            PYPIRC_WITH_PASSWORDS,
            UploadIndex("nexus", None, None),
            None,
            id="unknown-name",
        ),
    ],
)
def test_resolve_upload_index(
    tmp_path: Path,
    label: str,
    pypirc: str | None,
    expected: UploadIndex,
    described: str | None,
) -> None:
    """``described`` None: an index without an upload URL is reported before it is described."""
    write_pypirc(tmp_path, pypirc)

    index = resolve_upload_index(label, read_pypirc(tmp_path))

    assert index == expected
    assert index.is_local == (label == "local")
    if described is not None:
        assert index.describe() == described


@pytest.mark.parametrize(
    ("content", "sections"),
    [
        pytest.param(None, [], id="no-file"),
        pytest.param(
            PYPIRC_WITH_PASSWORDS.encode(),
            ["distutils", "pypi", "testpypi", "private"],
            id="twine-layout",
        ),
        pytest.param(b"username = __token__\n", [], id="no-section-header"),
        pytest.param(b"[pypi]\nusername = a\n[pypi]\nusername = b\n", [], id="duplicate-section"),
        pytest.param(b"[pypi]\npassword = caf\xe9\n", [], id="not-utf-8"),
    ],
)
def test_read_pypirc(tmp_path: Path, content: bytes | None, sections: list[str]) -> None:
    """An unreadable ~/.pypirc reads as empty."""
    if content is not None:
        (tmp_path / ".pypirc").write_bytes(content)

    assert read_pypirc(tmp_path).sections() == sections


# --- credential_source without a keyring ---------------------------------------------------


@pytest.mark.parametrize(
    ("label", "pypirc", "environ", "expected"),
    [
        pytest.param("local", None, {}, "generated for the local index", id="local-needs-nothing"),
        pytest.param(
            "pypi",
            None,
            {"TWINE_PASSWORD": ENV_SECRET},
            "TWINE_PASSWORD in the environment",
            id="env",
        ),
        pytest.param(
            OTHER_URL,
            None,
            {"TWINE_USERNAME": "bob", "TWINE_PASSWORD": ENV_SECRET},
            "TWINE_PASSWORD in the environment",
            id="env-for-a-url",
        ),
        pytest.param(
            "pypi",
            PYPIRC_WITH_PASSWORDS,
            {"TWINE_PASSWORD": ENV_SECRET, **OIDC},
            "TWINE_PASSWORD in the environment",
            id="env-before-pypirc-and-trusted-publishing",
        ),
        pytest.param(
            "pypi",
            PYPIRC_WITH_PASSWORDS,
            {"TWINE_PASSWORD": ""},
            "password in ~/.pypirc [pypi]",
            id="empty-env-password-is-none",
        ),
        pytest.param(
            "pypi", PYPIRC_WITH_PASSWORDS, {}, "password in ~/.pypirc [pypi]", id="pypirc"
        ),
        pytest.param(
            "private",
            PYPIRC_WITH_PASSWORDS,
            {},
            "password in ~/.pypirc [private]",
            id="pypirc-private",
        ),
        pytest.param(
            PRIVATE_URL,
            PYPIRC_WITH_PASSWORDS,
            {},
            "password in ~/.pypirc [private]",
            id="pypirc-section-found-by-url",
        ),
        pytest.param(
            "pypi",
            PYPIRC_WITH_PASSWORDS,
            OIDC,
            "password in ~/.pypirc [pypi]",
            id="pypirc-before-trusted-publishing",
        ),
        pytest.param("testpypi", PYPIRC_WITH_PASSWORDS, {}, None, id="section-without-password"),
        pytest.param("private", PYPIRC_USERNAMES_ONLY, {}, None, id="empty-pypirc-password"),
        pytest.param("pypi", None, {}, None, id="nothing-anywhere"),
        pytest.param("testpypi", None, {"TWINE_USERNAME": "__token__"}, None, id="username-alone"),
        pytest.param(OTHER_URL, PYPIRC_WITH_PASSWORDS, {}, None, id="url-of-no-section"),
        pytest.param("nexus", PYPIRC_WITH_PASSWORDS, OIDC, None, id="unknown-name"),
        pytest.param(
            "pypi", None, OIDC, "trusted publishing (GitHub Actions OIDC token)", id="trusted-pypi"
        ),
        pytest.param(
            "testpypi",
            PYPIRC_USERNAMES_ONLY,
            OIDC,
            "trusted publishing (GitHub Actions OIDC token)",
            id="trusted-testpypi",
        ),
        pytest.param(
            PYPI_URL,
            None,
            OIDC,
            "trusted publishing (GitHub Actions OIDC token)",
            id="trusted-pypi-url",
        ),
        pytest.param(
            "pypi",
            None,
            {**OIDC, "TWINE_USERNAME": "__token__"},
            "trusted publishing (GitHub Actions OIDC token)",
            id="trusted-with-token-username",
        ),
        pytest.param("private", PYPIRC_USERNAMES_ONLY, OIDC, None, id="no-trusted-private-index"),
        pytest.param(OTHER_URL, None, OIDC, None, id="no-trusted-other-url"),
        pytest.param(
            "https://upload.pypi.org.mirror.example/legacy/",
            None,
            OIDC,
            None,
            id="no-trusted-lookalike-host",
        ),
        pytest.param(
            "https://mirror.example/upload.pypi.org/legacy/",
            None,
            OIDC,
            None,
            id="no-trusted-pypi-host-in-path",
        ),
        pytest.param(
            "pypi", None, {**OIDC, "GITHUB_ACTIONS": "false"}, None, id="no-trusted-outside-actions"
        ),
        pytest.param(
            "pypi",
            None,
            {k: v for k, v in OIDC.items() if k != "GITHUB_ACTIONS"},
            None,
            id="no-trusted-without-github-actions",
        ),
        pytest.param(
            "pypi",
            None,
            {k: v for k, v in OIDC.items() if k != "ACTIONS_ID_TOKEN_REQUEST_URL"},
            None,
            id="no-trusted-without-request-url",
        ),
        pytest.param(
            "pypi",
            None,
            {**OIDC, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": ""},
            None,
            id="no-trusted-without-request-token",
        ),
        pytest.param(
            "pypi",
            None,
            {**OIDC, "TWINE_USERNAME": "alice"},
            None,
            id="no-trusted-for-another-username",
        ),
    ],
)
def test_credential_source_without_keyring(
    tmp_path: Path, label: str, pypirc: str | None, environ: dict[str, str], expected: str | None
) -> None:
    write_pypirc(tmp_path, pypirc)

    found = source_for(tmp_path, label, environ)

    assert found == expected
    assert not any(secret in (found or "") for secret in SECRETS)


# --- credential_source with a keyring ------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "pypirc", "environ", "entries", "expected"),
    [
        pytest.param(
            "private",
            PYPIRC_USERNAMES_ONLY,
            {},
            [(PRIVATE_URL, "alice")],
            f"keyring entry for {PRIVATE_URL}",
            id="username-from-pypirc",
        ),
        pytest.param(
            OTHER_URL,
            None,
            {"TWINE_USERNAME": "bob"},
            [(OTHER_URL, "bob")],
            f"keyring entry for {OTHER_URL}",
            id="username-from-environment",
        ),
        pytest.param(
            "private",
            PYPIRC_USERNAMES_ONLY,
            {"TWINE_USERNAME": "bob"},
            [(PRIVATE_URL, "bob")],
            f"keyring entry for {PRIVATE_URL}",
            id="environment-username-over-pypirc",
        ),
        pytest.param(
            "testpypi",
            PYPIRC_USERNAMES_ONLY,
            {},
            [(TESTPYPI_URL, "__token__")],
            f"keyring entry for {TESTPYPI_URL}",
            id="token-username-from-pypirc",
        ),
        pytest.param(
            "pypi",
            None,
            {},
            [(PYPI_URL, "__token__")],
            f"keyring entry for {PYPI_URL}",
            id="pypi-default-username-is-token",
        ),
        pytest.param(
            "pypi",
            None,
            {**OIDC, "TWINE_USERNAME": "__token__"},
            [(PYPI_URL, "__token__")],
            f"keyring entry for {PYPI_URL}",
            id="keyring-before-trusted-publishing",
        ),
        pytest.param(
            "private",
            PYPIRC_USERNAMES_ONLY,
            {},
            [(PRIVATE_URL, "mallory")],
            None,
            id="entry-for-another-username",
        ),
        pytest.param(
            "private",
            PYPIRC_USERNAMES_ONLY,
            {},
            [(OTHER_URL, "alice")],
            None,
            id="entry-for-another-index",
        ),
        pytest.param("private", PYPIRC_USERNAMES_ONLY, {}, [], None, id="empty-keyring"),
        pytest.param(
            "private",
            PYPIRC_WITH_PASSWORDS,
            {},
            [(PRIVATE_URL, "alice")],
            "password in ~/.pypirc [private]",
            id="pypirc-before-keyring",
        ),
        pytest.param(
            "private",
            PYPIRC_USERNAMES_ONLY,
            {"TWINE_PASSWORD": ENV_SECRET},
            [(PRIVATE_URL, "alice")],
            "TWINE_PASSWORD in the environment",
            id="environment-before-keyring",
        ),
    ],
)
def test_credential_source_with_keyring(
    tmp_path: Path,
    dict_keyring: keyring.backend.KeyringBackend,
    label: str,
    pypirc: str | None,
    environ: dict[str, str],
    entries: list[tuple[str, str]],
    expected: str | None,
) -> None:
    write_pypirc(tmp_path, pypirc)
    for service, username in entries:
        dict_keyring.set_password(service, username, KEYRING_SECRET)

    found = source_for(tmp_path, label, environ)

    assert found == expected
    assert not any(secret in (found or "") for secret in SECRETS)


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        pytest.param(
            {"environment", "pypirc", "keyring", "trusted"},
            "TWINE_PASSWORD in the environment",
            id="all-four",
        ),
        pytest.param(
            {"pypirc", "keyring", "trusted"},
            "password in ~/.pypirc [testpypi]",
            id="no-environment",
        ),
        pytest.param(
            {"keyring", "trusted"}, f"keyring entry for {TESTPYPI_URL}", id="keyring-next"
        ),
        pytest.param(
            {"trusted"}, "trusted publishing (GitHub Actions OIDC token)", id="trusted-last"
        ),
        pytest.param(set(), None, id="none"),
    ],
)
def test_order_of_sources_is_twines(
    tmp_path: Path,
    dict_keyring: keyring.backend.KeyringBackend,
    present: set[str],
    expected: str | None,
) -> None:
    """Environment, then ~/.pypirc, then keyring, then trusted publishing."""
    password = f"password = {PYPI_SECRET}\n" if "pypirc" in present else ""
    write_pypirc(tmp_path, f"[testpypi]\nusername = __token__\n{password}")
    if "keyring" in present:
        dict_keyring.set_password(TESTPYPI_URL, "__token__", KEYRING_SECRET)
    environ = {"TWINE_PASSWORD": ENV_SECRET} if "environment" in present else {}
    if "trusted" in present:
        environ.update(OIDC)

    assert source_for(tmp_path, "testpypi", environ) == expected


def test_keyring_that_fails_counts_as_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backend that raises (no usable keyring on the machine) is "not found", not a crash."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    write_pypirc(tmp_path, PYPIRC_USERNAMES_ONLY)

    assert source_for(tmp_path, "private", {}) is None


def test_null_keyring_counts_as_absent(tmp_path: Path) -> None:
    assert type(keyring.get_keyring()) is keyring.backends.null.Keyring
    write_pypirc(tmp_path, PYPIRC_USERNAMES_ONLY)

    assert source_for(tmp_path, "private", {"TWINE_USERNAME": "alice"}) is None


# --- missing_credentials_fix ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "pypirc", "section", "trusted"),
    [
        pytest.param("pypi", None, "pypi", True, id="pypi-without-pypirc"),
        pytest.param("testpypi", PYPIRC_USERNAMES_ONLY, "testpypi", True, id="testpypi-section"),
        pytest.param("private", PYPIRC_USERNAMES_ONLY, "private", False, id="private-section"),
        pytest.param(PRIVATE_URL, PYPIRC_USERNAMES_ONLY, "private", False, id="url-of-a-section"),
    ],
)
def test_missing_credentials_fix_names_the_ways_that_apply(
    tmp_path: Path, label: str, pypirc: str | None, section: str, trusted: bool
) -> None:
    """Trusted publishing is PyPI's and TestPyPI's: credential_source never finds it elsewhere."""
    write_pypirc(tmp_path, pypirc)
    fix = missing_credentials_fix(resolve_upload_index(label, read_pypirc(tmp_path)), "pypi")

    assert "RELEASE_PYPI_TOKEN" in fix
    assert "TWINE_PASSWORD" in fix
    assert f"[{section}] section of ~/.pypirc" in fix
    assert "keyring" in fix
    assert ("trusted publishing" in fix) == trusted
    assert ("id-token: write" in fix) == trusted
    assert not any(secret in fix for secret in SECRETS)


def test_missing_credentials_fix_for_a_url_does_not_name_a_url_section(tmp_path: Path) -> None:
    """twine reads no ~/.pypirc section for an upload URL, and a URL is no section name."""
    fix = missing_credentials_fix(resolve_upload_index(OTHER_URL, read_pypirc(tmp_path)), "pypi")

    assert f"[{OTHER_URL}]" not in fix
    assert "TWINE_PASSWORD" in fix


@pytest.mark.parametrize(
    ("pypirc", "label", "unread"),
    [
        pytest.param("[nexus]\nrepository = https://nexus/\n", "nexus", True, id="not-listed"),
        pytest.param(
            "[distutils]\nindex-servers =\n    pypi\n    nexus\n[nexus]\nrepository = https://nexus/\n",
            "nexus",
            False,
            id="listed",
        ),
        pytest.param("[testpypi]\nusername = __token__\n", "testpypi", False, id="default-list"),
        pytest.param(
            "[distutils]\nindex-servers = pypi\n[testpypi]\nusername = __token__\n",
            "testpypi",
            True,
            id="left-out-of-a-list",
        ),
        pytest.param(
            "[nexus]\nrepository = https://nexus/\n", "https://nexus/", True, id="url-of-a-section"
        ),
        pytest.param("", "https://nexus/", False, id="url-without-section"),
    ],
)
def test_twine_reads_only_the_sections_index_servers_lists(
    tmp_path: Path, pypirc: str, label: str, unread: bool
) -> None:
    write_pypirc(tmp_path, pypirc)
    parsed = read_pypirc(tmp_path)

    assert unread_by_twine(resolve_upload_index(label, parsed), parsed) is unread


@pytest.mark.parametrize(
    ("role", "environ", "expected"),
    [
        pytest.param(
            "testpypi",
            {"RELEASE_TESTPYPI_TOKEN": "t", "TWINE_PASSWORD": "shared"},
            "RELEASE_TESTPYPI_TOKEN in the environment",
            id="the-roles-own-token-first",
        ),
        pytest.param(
            "pypi",
            {"RELEASE_TESTPYPI_TOKEN": "t", "TWINE_PASSWORD": "shared"},
            "TWINE_PASSWORD in the environment",
            id="not-the-other-roles-token",
        ),
    ],
)
def test_each_index_may_have_a_token_of_its_own(
    tmp_path: Path, role: str, environ: dict[str, str], expected: str
) -> None:
    assert source_for(tmp_path, role, environ, role) == expected


def test_credentials_written_into_the_url_are_a_source(tmp_path: Path) -> None:
    url = "https://user:pw@private.example/legacy/"
    assert source_for(tmp_path, url, {}) == (
        "the user name and password written into the index's URL"
    )


@pytest.mark.parametrize(
    ("label", "environ", "expected"),
    [
        pytest.param(
            "pypi",
            {"GITLAB_CI": "true", "PYPI_ID_TOKEN": "gitlab-oidc-0123456789"},
            "trusted publishing (GitLab CI id token PYPI_ID_TOKEN)",
            id="gitlab-pypi",
        ),
        pytest.param(
            "testpypi",
            {"GITLAB_CI": "true", "TESTPYPI_ID_TOKEN": "gitlab-oidc-0123456789"},
            "trusted publishing (GitLab CI id token TESTPYPI_ID_TOKEN)",
            id="gitlab-testpypi",
        ),
        pytest.param(
            "testpypi",
            {"GITLAB_CI": "true", "PYPI_ID_TOKEN": "gitlab-oidc-0123456789"},
            None,
            id="gitlab-token-of-the-other-audience",
        ),
        pytest.param(
            "pypi",
            {"GOOGLE_SERVICE_ACCOUNT_NAME": "release@acme.iam.gserviceaccount.com"},
            "trusted publishing (Google Cloud service account)",
            id="google-cloud",
        ),
        pytest.param(
            "pypi", {"BUILDKITE": "true"}, "trusted publishing (Buildkite OIDC token)", id="bk"
        ),
        pytest.param(
            "pypi", {"CIRCLECI": "true"}, "trusted publishing (CircleCI OIDC token)", id="circle"
        ),
        pytest.param(PRIVATE_URL, {"CIRCLECI": "true"}, None, id="not-on-another-index"),
    ],
)
def test_trusted_publishing_is_found_on_every_ci_twine_knows(
    tmp_path: Path, label: str, environ: dict[str, str], expected: str | None
) -> None:
    assert (
        source_for(tmp_path, label, environ, role=label if label != PRIVATE_URL else "pypi")
        == expected
    )
