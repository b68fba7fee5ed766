"""The cases of a gate: once per package in publish order, once per smoke command, once
per module of the public API boundary; parametrized from the target read once."""

from __future__ import annotations

import pytest

from pytest_release.session import state

NONE_CONFIGURED = "none-configured"
UNREADABLE = "unreadable"


def parametrize_cases(metafunc: pytest.Metafunc) -> None:
    """Parametrize a gate asking for ``release_package`` (or ``repo_package``), ``smoke_command`` or
    ``boundary_module``; an unreadable target or bad settings still collect (one case
    whose fixtures fail, or the usage error raised once collection is done)."""
    wanted = {"release_package", "repo_package", "smoke_command", "boundary_module"}
    wanted.intersection_update(metafunc.fixturenames)
    if not wanted:
        return
    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import Monorepo

    settings: Settings | None = None
    model: object = None
    try:
        settings = state.settings_of(metafunc.config)
        model = state.monorepo_of(metafunc.config)
    except pytest.UsageError:
        pass  # raised again, as a usage error, once collection is done
    names = list(model.publish_order) if isinstance(model, Monorepo) else [UNREADABLE]
    for each in ("release_package", "repo_package"):
        if each in wanted:
            metafunc.parametrize(each, names, ids=names, indirect=True)
    if "smoke_command" in wanted:
        commands = list(settings.smoke) if settings and settings.smoke else [None]
        ids = [command or NONE_CONFIGURED for command in commands]
        metafunc.parametrize("smoke_command", commands, ids=ids)
    if "boundary_module" in wanted:
        modules = list(settings.public_api) if settings else []
        metafunc.parametrize("boundary_module", modules or [NONE_CONFIGURED])
