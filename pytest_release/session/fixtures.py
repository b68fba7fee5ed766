"""The fixtures gates ask for: the settings, the target monorepo, its git work tree.

This module loads with the plugin in every session, so it imports what reads a target
only when a fixture is first requested.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from pytest_release.dists.build import BuiltPackage
    from pytest_release.dists.venv import CommandResult, FreshVenv, NotAttempted
    from pytest_release.index.local import LocalIndex, PackageIndex
    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import Monorepo, Package


@pytest.fixture(scope="session")
def release_settings(pytestconfig: pytest.Config) -> Settings:
    """The release settings: command line > ``[tool.pytest-release]`` > defaults."""
    from pytest_release.session.state import settings_of

    return settings_of(pytestconfig)


@pytest.fixture(scope="session")
def monorepo(pytestconfig: pytest.Config) -> Monorepo:
    """The target repository read once: packages, versions, graph, publish order."""
    from pytest_release.problems import render_problems
    from pytest_release.session.state import monorepo_of
    from pytest_release.target.monorepo import MonorepoError

    model = monorepo_of(pytestconfig)
    if isinstance(model, MonorepoError):
        pytest.fail(render_problems(model.problems), pytrace=False)
    return model


@pytest.fixture(scope="session")
def git_worktree(release_settings: Settings) -> Path:
    """The top of the git work tree holding the target; gates that need git skip without one.

    Whether the target is a git work tree with a commit is the preflight gate's first
    check, which fails with the reason; the other checks are skipped, not failed again.
    """
    from pytest_release.target import git

    try:
        top = git.toplevel(release_settings.root)
        git.head_commit(release_settings.root)
    except git.GitError as error:
        pytest.skip(
            f"not checked: {release_settings.root} is not a git work tree with a commit ({error})"
        )
    return top


@pytest.fixture
def release_package(request: pytest.FixtureRequest, monorepo: Monorepo) -> Package:
    """One package of the target: gates asking for it run once per package, in publish
    order, with the dist name as the test id (the plugin parametrizes it)."""
    name: str = request.param
    return monorepo.package(name)


@pytest.fixture(scope="session")
def release_tags(git_worktree: Path, release_settings: Settings, monorepo: Monorepo) -> list[str]:
    """The tags of earlier releases, from which the last release of each package is read:
    every tag but this release's own on HEAD, which an earlier publish run of this very
    commit made (a resumed run finds them there)."""
    from pytest_release.checks import versions
    from pytest_release.target import git

    tags = git.tags(release_settings.root)
    release = versions.release_version(release_settings, monorepo).version
    if release is None:
        return tags
    own = set(versions.release_tag_names(release_settings.tag, monorepo, release))
    own &= set(git.tags_on_head(release_settings.root))
    return [tag for tag in tags if tag not in own]


@pytest.fixture(scope="session")
def built_dists(
    monorepo: Monorepo, tmp_path_factory: pytest.TempPathFactory
) -> Mapping[str, BuiltPackage]:
    """An sdist and a wheel of every package (dist name -> what was built, or why not),
    built once per session into a scratch folder; the packages' own dist/ stay untouched."""
    from pytest_release.dists.build import build_all

    return build_all(monorepo, tmp_path_factory.mktemp("dists"))


def _new_venv(tmp_path_factory: pytest.TempPathFactory, name: str) -> FreshVenv:
    from pytest_release.dists.venv import FreshVenv, VenvError

    try:
        return FreshVenv.create(tmp_path_factory.mktemp(name) / "venv")
    except VenvError as error:
        message = str(error)
    # Raised outside the except block, so that no "During handling..." chain is shown.
    raise pytest.fail.Exception(message, pytrace=False)


@pytest.fixture
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """A new virtual environment outside the target repo: install(), run(), python()."""
    return _new_venv(tmp_path_factory, "fresh-venv")


@dataclass(frozen=True)
class EditableInstall:
    venv: FreshVenv
    results: Mapping[str, CommandResult | NotAttempted]  # dist name -> its install

    def skip_unless_installed(self, package: Package) -> None:
        """Cases that need the package installed are not checked when it is not."""
        from pytest_release.dists.venv import NotAttempted

        result = self.results[package.name]
        if isinstance(result, NotAttempted):
            pytest.skip(f"not checked: {result.reason} (see the editable gate)")
        if not result.ok:
            pytest.skip("not checked: the editable install failed (see the editable gate)")


@pytest.fixture(scope="session")
def editable_venv(monorepo: Monorepo, tmp_path_factory: pytest.TempPathFactory) -> EditableInstall:
    """One fresh venv with every package installed editable, in publish order."""
    from pytest_release.dists.venv import install_editable

    venv = _new_venv(tmp_path_factory, "editable")
    return EditableInstall(venv, install_editable(venv, monorepo))


@pytest.fixture(scope="session")
def testpypi_index(
    release_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PackageIndex]:
    """The index named by ``--testpypi`` (or the ``testpypi`` key): ``upload(files)``,
    ``files(project)``, ``simple_url``. ``local`` is a pypiserver of this session, stopped
    at its end; a remote index's simple URL may be set with RELEASE_TESTPYPI_SIMPLE_URL."""
    from pytest_release.index.local import open_index

    label = release_settings.testpypi
    yield from _session_index(
        lambda: open_index(label, "testpypi", lambda: tmp_path_factory.mktemp("testpypi-index"))
    )


@pytest.fixture(scope="session")
def pypi_index(
    release_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PackageIndex]:
    """The index named by ``--pypi`` (or the ``pypi`` key), as ``testpypi_index``; a remote
    index's simple URL may be set with RELEASE_PYPI_SIMPLE_URL."""
    from pytest_release.index.local import open_index

    label = release_settings.pypi
    yield from _session_index(
        lambda: open_index(label, "pypi", lambda: tmp_path_factory.mktemp("pypi-index"))
    )


@pytest.fixture(scope="session")
def rehearsal_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    """A fresh local index (pypiserver on 127.0.0.1, empty) for the rehearsal, stopped at
    the end of the session."""
    from pytest_release.index.local import IndexStartError, start_local_index

    try:
        index = start_local_index(tmp_path_factory.mktemp("rehearsal-index"))
    except IndexStartError as error:  # pytest.fail, without the error it handles
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    try:
        yield index
    finally:
        index.stop()


def _session_index(open_index: Callable[[], PackageIndex]) -> Iterator[PackageIndex]:
    """The index ``open_index`` opens, stopped when the session ends however it ended (a
    local one); an index that cannot be opened fails the test asking for it, with why."""
    from pytest_release.index.local import LocalIndex, PackageIndexError

    try:
        index = open_index()
    except PackageIndexError as error:  # pytest.fail, without the error it handles
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    try:
        yield index
    finally:
        if isinstance(index, LocalIndex):
            index.stop()
