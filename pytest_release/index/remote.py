"""An index the user named (``--testpypi`` / ``--pypi``): twine finds its credentials as it
always does."""

from __future__ import annotations

import configparser
from collections.abc import Mapping, Sequence

from pytest_release.index.names import UploadIndex, simple_url_for
from pytest_release.index.package_index import TWINE_DISPLAY, PackageIndex, UnknownIndexError
from pytest_release.process import child_environment
from pytest_release.redact import split_credentials


class RemoteIndex(PackageIndex):
    """An index the user named; twine finds the credentials as it always does (environment,
    ~/.pypirc, keyring, trusted publishing)."""

    def __init__(
        self,
        label: str,
        simple_url: str,
        upload_url: str,
        repository: str | None = None,
        pypirc_passwords: Sequence[str] = (),
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(label, simple_url, upload_url)
        self.repository = repository  # the ~/.pypirc section twine reads, if any
        self._pypirc_passwords = list(pypirc_passwords)  # to mask, should twine show one
        # Given to this index's twine alone, through its environment (never its arguments).
        self._credentials = dict(credentials or {})

    def _twine_target(self) -> list[str]:
        if self.repository:
            return ["--repository", self.repository]
        return ["--repository-url", split_credentials(self.upload_url)[0]]

    def _twine_environment(self) -> dict[str, str]:
        return child_environment({**TWINE_DISPLAY, **self._credentials}, colour=False)

    def _secrets(self) -> list[str]:
        return [*self._pypirc_passwords, *self._credentials.values()]


def remote_index(
    index: UploadIndex,
    pypirc: configparser.RawConfigParser,
    *,
    simple_url: str | None = None,
    credentials: Mapping[str, str] | None = None,
) -> RemoteIndex:
    """The remote index ``index`` names; its simple URL ``simple_url`` when given, else
    derived from the upload URL (``simple_url_for``); ``credentials``: the variables its
    twine gets (``upload_credentials``)."""
    if index.is_local:
        raise ValueError("the local index is started with start_local_index")
    if index.upload_url is None:
        raise UnknownIndexError(
            f"the index {index.label!r} is neither an upload URL nor a repository of "
            "~/.pypirc: give its URL, or add a section with a `repository` URL to ~/.pypirc"
        )
    sections = [index.repository, "server-login"] if index.repository else ["server-login"]
    passwords = [pypirc.get(section, "password", fallback="") for section in sections]
    return RemoteIndex(
        index.label,
        simple_url or simple_url_for(index.upload_url),
        index.upload_url,
        index.repository,
        passwords,
        credentials,
    )
