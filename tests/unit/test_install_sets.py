"""Which packages of the release are installed together, and where a smoke check runs."""

from __future__ import annotations

from dataclasses import replace

import pytest
from packaging.requirements import Requirement

from pytest_release.publish.install_sets import (
    InstallSet,
    imported_modules,
    install_sets,
    owners,
    started_script,
)
from pytest_release.target.monorepo import Monorepo
from tests.unit.test_rehearsal import ROOT, package

CORE = package("acme-core", "packaging>=24", imports=("acme.core",))
OLD = package("acme-old", "acme-core>=1.2", "protobuf~=3.12", imports=("acme.old",))
NEW = replace(
    package("acme-new", "acme-core>=1.2", "protobuf>=5", imports=("acme.new",)),
    scripts={"acme-new": "acme.new.cli:main"},
)
TWO_TOPS = Monorepo(ROOT, (CORE, OLD, NEW))


def test_each_top_package_is_installed_with_what_it_reaches() -> None:
    assert install_sets(TWO_TOPS, together=False) == (
        InstallSet((OLD,), (CORE, OLD)),
        InstallSet((NEW,), (CORE, NEW)),
    )


def test_together_installs_every_package_at_once() -> None:
    assert install_sets(TWO_TOPS, together=True) == (InstallSet((OLD, NEW), (CORE, OLD, NEW)),)


def test_a_package_required_through_an_extra_is_installed_with_the_top_package() -> None:
    fast = package("acme-fast")
    core = replace(CORE, optional_dependencies={"fast": (Requirement("acme-fast>=1"),)})
    meta = package("acme", "acme-core[fast]>=1.2")
    repo = Monorepo(ROOT, (fast, core, meta))
    assert install_sets(repo, together=False) == (InstallSet((meta,), (fast, core, meta)),)


def test_a_cycle_no_top_package_reaches_is_installed_under_its_first_package() -> None:
    first = package("acme-a", "acme-b>=1")
    second = replace(package("acme-b"), optional_dependencies={"x": (Requirement("acme-a>=1"),)})
    repo = Monorepo(ROOT, (second, first))
    assert install_sets(repo, together=False) == (InstallSet((second,), (second, first)),)


@pytest.mark.parametrize(
    ("statement", "modules"),
    [
        ("import acme.old, json", ("acme.old", "json")),
        ("from acme.new.api import run; run()", ("acme.new.api",)),
        ("from . import x", ()),
        ("import (", ()),
    ],
)
def test_the_modules_a_statement_imports(statement: str, modules: tuple[str, ...]) -> None:
    assert imported_modules(statement) == modules


def test_the_packages_holding_modules() -> None:
    assert owners(("acme.new.api", "json", "acme"), TWO_TOPS.packages) == (NEW,)


@pytest.mark.parametrize(
    ("command", "started"),
    [("acme-new run demo.yaml", (NEW,)), ("python -m acme.old", ()), ("'unclosed", ())],
)
def test_the_package_whose_console_script_a_command_starts(
    command: str, started: tuple[object, ...]
) -> None:
    assert started_script(command, TWO_TOPS.packages) == started
