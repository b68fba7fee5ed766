"""Session state on ``config.stash``: the settings, the target read once, the ledger."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_release.dists.prepared_metadata import metadata_reader, user_cache_folder
from pytest_release.index.names import index_conflict, read_pypirc, resolve_upload_index
from pytest_release.publish.bundle import BundleSource
from pytest_release.publish.progress import PublishLog
from pytest_release.session.ledger import Ledger
from pytest_release.settings import Settings, SettingsError, resolve_settings
from pytest_release.target.monorepo import Monorepo, MonorepoError, read_monorepo

SETTINGS = pytest.StashKey[Settings]()
MONOREPO = pytest.StashKey["Monorepo | MonorepoError"]()
LEDGER = pytest.StashKey[Ledger]()
PUBLISH_LOG = pytest.StashKey[PublishLog]()
PUBLISHING = pytest.StashKey[bool]()  # a publish gate was selected, and -m names `publish`
BUNDLE_SOURCE = pytest.StashKey[BundleSource]()

# option dest -> config-key spelling
OPTION_KEYS = {
    "release_version": "release-version",
    "release_testpypi": "testpypi",
    "release_pypi": "pypi",
    "release_bundle": "bundle",
    "release_build_cache": "build-cache",
}


def target_root(config: pytest.Config) -> Path:
    given: str | None = config.getoption("release_monorepo")
    root = Path(given).resolve() if given else config.rootpath
    if not root.is_dir():
        raise pytest.UsageError(f"--monorepo {given}: no such folder.")
    return root


def settings_of(config: pytest.Config) -> Settings:
    """The release settings, resolved once; a bad option, key or value is a usage error."""
    if SETTINGS not in config.stash:
        command_line = {key: config.getoption(dest) for dest, key in OPTION_KEYS.items()}
        try:
            settings = resolve_settings(
                target_root(config),
                command_line,
                os.environ,
                config.getoption("release_allow_unverified") or (),
            )
        except SettingsError as error:
            raise pytest.UsageError(str(error)) from None
        pypirc = read_pypirc(Path.home())
        testpypi, pypi = (
            resolve_upload_index(label, pypirc) for label in (settings.testpypi, settings.pypi)
        )
        conflict = index_conflict(testpypi, pypi)
        if conflict:  # raised again by every call: the settings are never kept
            raise pytest.UsageError(conflict)
        config.stash[SETTINGS] = settings
    return config.stash[SETTINGS]


def monorepo_of(config: pytest.Config) -> Monorepo | MonorepoError:
    """The target read once: the model, or the error that says why it cannot be read."""
    if MONOREPO not in config.stash:
        settings = settings_of(config)
        try:
            reader = metadata_reader(settings.root, user_cache_folder())
            config.stash[MONOREPO] = read_monorepo(
                settings.root, settings.packages, settings.release_version, reader
            )
        except MonorepoError as error:
            config.stash[MONOREPO] = error
    return config.stash[MONOREPO]


def bundle_source_of(config: pytest.Config, folder: Path) -> BundleSource:
    """The release bundle in ``folder`` (a publish run's) and HEAD's commit, read once for
    the cases taken from it and for its own case."""
    if BUNDLE_SOURCE not in config.stash:
        config.stash[BUNDLE_SOURCE] = BundleSource.read(folder, settings_of(config).root)
    return config.stash[BUNDLE_SOURCE]
