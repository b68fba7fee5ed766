"""The fixture the api and changelog gates share: the public API boundary compared once.

This module loads with the plugin in every session, so it imports griffe and git only
when the fixture is first requested.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_release.api.source import PublicApi
    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import Monorepo


@pytest.fixture(scope="session")
def public_api_difference(
    release_settings: Settings,
    monorepo: Monorepo,
    release_tags: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> PublicApi:
    """Each module of ``public-api`` at the last release tag against HEAD, read statically
    from ``git archive`` copies in a scratch folder; why nothing was compared, when so."""
    from pytest_release.api.source import compare_public_api

    scratch = tmp_path_factory.mktemp("public-api")
    return compare_public_api(release_settings, monorepo, release_tags, scratch)
