"""An index the user named (``--testpypi`` / ``--pypi``): twine finds its credentials as it
always does."""

from __future__ import annotations

import configparser
from collections.abc import Sequence
from urllib.parse import urlsplit

from pytest_release.index.names import UploadIndex, simple_url_for
from pytest_release.index.package_index import TWINE_DISPLAY, PackageIndex, UnknownIndexError
from pytest_release.process import child_environment


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
    ) -> None:
        super().__init__(label, simple_url, upload_url)
        self.repository = repository  # the ~/.pypirc section twine reads, if any
        self._pypirc_passwords = list(pypirc_passwords)  # to mask, should twine show one

    def _twine_target(self) -> list[str]:
        if self.repository:
            return ["--repository", self.repository]
        return ["--repository-url", self.upload_url]

    def _twine_environment(self) -> dict[str, str]:
        environment = child_environment(TWINE_DISPLAY, colour=False)
        for variable in ("TWINE_REPOSITORY", "TWINE_REPOSITORY_URL"):  # we name the index
            environment.pop(variable, None)
        return environment

    def _secrets(self) -> list[str]:
        return [*self._pypirc_passwords, urlsplit(self.upload_url).password or ""]


def remote_index(
    index: UploadIndex, pypirc: configparser.RawConfigParser, *, simple_url: str | None = None
) -> RemoteIndex:
    """The remote index ``index`` names; its simple URL ``simple_url`` when given, else
    derived from the upload URL (``simple_url_for``)."""
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
    )
