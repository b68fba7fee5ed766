"""Every fixture the gates ask for: the settings, the target read once, its git work tree,
the release version, builds, venvs, package indexes, the public API comparison and the
publish log.

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

    from packaging.version import Version

    from pytest_release.api.source import PublicApi
    from pytest_release.checks.release_scope import ReleaseScope
    from pytest_release.checks.versions import ReleaseVersion
    from pytest_release.dists.build import Builds, BuiltPackage
    from pytest_release.dists.venv import FreshVenv, NotAttempted
    from pytest_release.index.local import LocalIndex
    from pytest_release.index.package_index import PackageIndex
    from pytest_release.process import CommandResult
    from pytest_release.publish.bundle import BundleReading
    from pytest_release.publish.installed_release import Rehearsal
    from pytest_release.publish.progress import ProvenFiles, PublishLog
    from pytest_release.publish.upload import PublishStep
    from pytest_release.session.activity import HeldLines
    from pytest_release.session.ahead import Ahead
    from pytest_release.settings import Settings
    from pytest_release.target.monorepo import Monorepo, MonorepoError, Package


@pytest.fixture(scope="session")
def release_settings(pytestconfig: pytest.Config) -> Settings:
    """The release settings: command line > ``[tool.pytest-release]`` > defaults."""
    from pytest_release.session.state import settings_of

    return settings_of(pytestconfig)


@pytest.fixture(scope="session")
def target_reading(pytestconfig: pytest.Config) -> Monorepo | MonorepoError:
    """The target repository read once, or why it could not be read."""
    from pytest_release.session.state import monorepo_of

    return monorepo_of(pytestconfig)


@pytest.fixture(scope="session")
def monorepo(target_reading: Monorepo | MonorepoError, request: pytest.FixtureRequest) -> Monorepo:
    """The target repository read once: packages, versions, graph, publish order; every
    case that needs it fails with why it cannot be read. The editable install, the builds
    and the rehearsal start here when the session has their gates, to run behind the gates
    before them (``started_editable_install``, ``started_builds``, ``started_rehearsal``)."""
    monorepo = _readable(target_reading)
    for needed, starter in _STARTED_AHEAD.items():
        if any(needed in getattr(item, "fixturenames", ()) for item in request.session.items):
            request.getfixturevalue(starter)
    return monorepo


def _readable(target_reading: Monorepo | MonorepoError) -> Monorepo:
    """The target read; the case fails with why it cannot be read."""
    from pytest_release.problems import render_problems
    from pytest_release.target.monorepo import MonorepoError

    if isinstance(target_reading, MonorepoError):
        pytest.fail(render_problems(target_reading.problems), pytrace=False)
    return target_reading


# Session fixtures whose work starts as soon as the target is read, when a case needs them.
_STARTED_AHEAD = {
    "editable_venv": "started_editable_install",
    "built_dists": "started_builds",
    "rehearsal_uploads": "started_rehearsal",
}


@pytest.fixture(scope="session")
def git_worktree(release_settings: Settings) -> Path:
    """The top of the git work tree holding the target; gates that need git skip without one.

    Whether the target is a git work tree with a commit is the preflight gate's first
    check, which fails with the reason; the other checks are skipped, not failed again.
    """
    from pytest_release.gate import skip_blocked
    from pytest_release.target import git

    try:
        top = git.toplevel(release_settings.root)
        git.head_commit(release_settings.root)
    except git.GitError as error:
        skip_blocked(
            f"not checked: {release_settings.root} is not a git work tree with a commit ({error})"
        )
    return top


@pytest.fixture(scope="session")
def release_version_reading(release_settings: Settings, monorepo: Monorepo) -> ReleaseVersion:
    """The version being released (given, or read from the packages), and what disagrees
    with it: read once for every gate."""
    from pytest_release.checks.versions import release_version

    return release_version(release_settings, monorepo)


@pytest.fixture(scope="session")
def release_version(release_version_reading: ReleaseVersion) -> Version:
    """The version being released; a case that needs it is not checked when the versions
    gate cannot tell it (that gate fails with why)."""
    from pytest_release.gate import skip_blocked

    if release_version_reading.version is None:
        skip_blocked("not checked: the release version is not known (see the versions gate)")
    return release_version_reading.version


@pytest.fixture(scope="session")
def release_scope(
    release_settings: Settings, monorepo: Monorepo, request: pytest.FixtureRequest
) -> ReleaseScope:
    """Which packages this release takes: every one under lockstep versioning; under
    independent versioning, each but those at their last release and unchanged since its
    tag (git is asked only then)."""
    from pytest_release.checks import release_scope
    from pytest_release.gate import skip_blocked
    from pytest_release.target import git

    if release_settings.versioning == "lockstep":
        return release_scope.release_scope(release_settings, monorepo, [], {})
    tags: list[str] = request.getfixturevalue("release_tags")
    try:
        changes = release_scope.read_changes(release_settings, monorepo, tags)
    except git.GitError as error:
        skip_blocked(f"not checked: git could not tell what changed since the last tags ({error})")
    return release_scope.release_scope(release_settings, monorepo, tags, changes)


@pytest.fixture
def release_package(
    request: pytest.FixtureRequest, monorepo: Monorepo, release_scope: ReleaseScope
) -> Package:
    """One package of the release: gates asking for it run once per package, in publish
    order, with the dist name as the test id (the plugin parametrizes it); a package this
    release leaves out skips, "not in this release"."""
    from pytest_release.gate import skip_not_in_this_release

    package = monorepo.package(request.param)
    place = release_scope.of(package)
    if not place.released:
        skip_not_in_this_release(f"{package.name}: {place.describe()}")
    return package


@pytest.fixture
def repo_package(request: pytest.FixtureRequest, monorepo: Monorepo) -> Package:
    """One package of the target, in or out of the release: parametrized as
    ``release_package``, for checks that hold for every package (the internal ranges)."""
    name: str = request.param
    return monorepo.package(name)


@pytest.fixture(scope="session")
def publish_run(pytestconfig: pytest.Config) -> bool:
    """Whether this session publishes: a publish gate selected, and -m naming `publish`."""
    from pytest_release.session import state

    return pytestconfig.stash.get(state.PUBLISHING, False)


@pytest.fixture(scope="session")
def release_tag_names(
    release_settings: Settings,
    monorepo: Monorepo,
    release_scope: ReleaseScope,
    release_version: Version,
) -> list[str]:
    """The tags this release creates, in publish order (none for a package it leaves out)."""
    from pytest_release.checks.versions import release_tag_names

    released = release_scope.released(monorepo.packages)
    return release_tag_names(release_settings.tag, released, release_version)


@pytest.fixture(scope="session")
def release_tags(
    git_worktree: Path,
    release_settings: Settings,
    monorepo: Monorepo,
    release_version_reading: ReleaseVersion,
) -> list[str]:
    """The tags of earlier releases, from which the last release of each package is read:
    every tag in HEAD's history but this release's own on HEAD, which an earlier publish
    run of this very commit made (a resumed run finds them there)."""
    from pytest_release.checks import versions
    from pytest_release.target import git

    tags = git.tags_in_history(release_settings.root)
    release = release_version_reading.version
    if release is None:
        return tags
    own = set(versions.release_tag_names(release_settings.tag, monorepo.packages, release))
    own &= set(git.tags_on_head(release_settings.root))
    return [tag for tag in tags if tag not in own]


@pytest.fixture(scope="session")
def started_builds(
    target_reading: Monorepo | MonorepoError,
    tmp_path_factory: pytest.TempPathFactory,
    release_settings: Settings,
    publish_run: bool,
    pytestconfig: pytest.Config,
) -> Iterator[tuple[Builds, HeldLines] | None]:
    """The builds of every package, started in worker threads as soon as the target is
    read, so that they run while the gates before the build gate do; those still running
    when the session ends are stopped. None when a publish run uploads a release bundle
    instead."""
    monorepo = _readable(target_reading)
    if publish_run and release_settings.bundle:
        yield None
        return
    from pytest_release.dists.build import start_builds
    from pytest_release.dists.build_cache import BuildCache
    from pytest_release.dists.prepared_metadata import user_cache_folder
    from pytest_release.session.activity import HeldLines, activity

    # Files an earlier session built of the same sources are reused, their sha256 checked;
    # the build gate checks them as it checks fresh ones.
    cache = BuildCache(user_cache_folder() / "builds") if release_settings.build_cache else None
    say = HeldLines(activity(pytestconfig, "build"))
    builds = start_builds(monorepo, tmp_path_factory.mktemp("dists"), cache=cache, progress=say)
    try:
        yield builds, say
    finally:
        builds.stop()


@pytest.fixture(scope="session")
def built_dists(
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
    started_builds: tuple[Builds, HeldLines] | None,
) -> Mapping[str, BuiltPackage]:
    """An sdist and a wheel of every package (dist name -> what was built, or why not),
    built once per session into a scratch folder; the packages' own dist/ stay untouched.
    A publish run from a release bundle builds nothing: the bundle's files stand instead."""
    if started_builds is None:  # a publish run that uploads a release bundle
        release_bundle: BundleReading = request.getfixturevalue("release_bundle")
        return release_bundle.built_packages(package.name for package in monorepo.packages)
    builds, progress = started_builds
    progress.release()
    return builds.result()


def _new_venv(tmp_path_factory: pytest.TempPathFactory, name: str) -> FreshVenv:
    return _venv_at(tmp_path_factory.mktemp(name) / "venv")


def _venv_at(path: Path) -> FreshVenv:
    from pytest_release.dists.venv import FreshVenv, VenvError

    try:
        return FreshVenv.create(path)
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
        from pytest_release.gate import skip_blocked

        result = self.results[package.name]
        if isinstance(result, NotAttempted):
            skip_blocked(f"not checked: {result.reason} (see the editable gate)")
        if not result.ok:
            skip_blocked("not checked: the editable install failed (see the editable gate)")

    def skip_unless_all_installed(self) -> None:
        """Cases that run the whole release (a smoke command) need every package."""
        from pytest_release.gate import skip_blocked

        if not all(result.ok for result in self.results.values()):
            skip_blocked("not checked: an editable install failed (see the editable gate)")


@pytest.fixture(scope="session")
def started_editable_install(
    target_reading: Monorepo | MonorepoError,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> Iterator[tuple[Ahead[EditableInstall], HeldLines]]:
    """The editable install, started in a thread as soon as the target is read, so that
    it runs while the gates before the editable gate do. An install still running when
    the session ends is waited for."""
    from pytest_release.dists.venv import install_editable
    from pytest_release.session.activity import HeldLines, activity
    from pytest_release.session.ahead import Ahead

    monorepo, path = _readable(target_reading), tmp_path_factory.mktemp("editable") / "venv"
    say = HeldLines(activity(pytestconfig, "editable"))

    def install() -> EditableInstall:
        venv = _venv_at(path)
        return EditableInstall(venv, install_editable(venv, monorepo, progress=say))

    ahead = Ahead(install, "editable install")
    try:
        yield ahead, say
    finally:
        ahead.wait()


@pytest.fixture(scope="session")
def editable_venv(
    started_editable_install: tuple[Ahead[EditableInstall], HeldLines],
) -> EditableInstall:
    """One fresh venv with every package installed editable (one installer call; one per
    package in publish order when it fails, to tell which)."""
    install, progress = started_editable_install
    progress.release()
    return install.result()


@pytest.fixture(scope="session")
def testpypi_index(
    release_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PackageIndex]:
    """The index named by ``--testpypi`` (or the ``testpypi`` key): ``upload(files)``,
    ``files(project)``, ``simple_url``. ``local`` is a pypiserver of this session, stopped
    at its end; a remote index's simple URL may be set with RELEASE_TESTPYPI_SIMPLE_URL."""
    from pytest_release.index.opening import open_index

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
    from pytest_release.index.opening import open_index

    label = release_settings.pypi
    yield from _session_index(
        lambda: open_index(label, "pypi", lambda: tmp_path_factory.mktemp("pypi-index"))
    )


@pytest.fixture(scope="session")
def rehearsal_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    """A fresh local index (pypiserver on 127.0.0.1, empty) for the rehearsal, stopped at
    the end of the session."""
    from pytest_release.index.local import start_local_index
    from pytest_release.index.package_index import IndexStartError

    try:
        index = start_local_index(tmp_path_factory.mktemp("rehearsal-index"))
    except IndexStartError as error:  # pytest.fail, without the error it handles
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    try:
        yield index
    finally:
        index.stop()


@pytest.fixture(scope="session")
def started_rehearsal(
    target_reading: Monorepo | MonorepoError,
    started_builds: tuple[Builds, HeldLines] | None,
    release_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Ahead[Rehearsal] | None]:
    """The rehearsal's uploads and installs, run in a thread once the builds are done,
    behind the gates before the rehearsal. None when there is nothing to rehearse ahead: a
    publish run from a release bundle (the build job rehearsed its files), or a rehearsal
    index that did not start (the cases asking for it fail with why)."""
    from pytest_release.publish.installed_release import rehearse
    from pytest_release.session.ahead import Ahead

    monorepo = _readable(target_reading)
    if started_builds is None:
        yield None
        return
    try:
        index: LocalIndex = request.getfixturevalue("rehearsal_index")
    except pytest.fail.Exception:
        yield None
        return
    builds, _ = started_builds
    together = release_settings.rehearsal_together

    def rehearsal() -> Rehearsal:
        return rehearse(index, monorepo, builds.result(), tmp_path_factory, together=together)

    work = Ahead(rehearsal, "rehearsal")
    try:
        yield work
    finally:
        builds.stop()  # a session ended early: the work ends with the builds
        work.wait()


@pytest.fixture(scope="session")
def rehearsal_run(
    rehearsal_index: LocalIndex, started_rehearsal: Ahead[Rehearsal] | None
) -> Rehearsal:
    """The rehearsal's uploads and installs on ``rehearsal_index``, waited for."""
    if started_rehearsal is None:  # the index started, so this is a run from a bundle
        pytest.fail(
            "a publish run from a release bundle has no rehearsal of its own: the build job's "
            "rehearsal proved the bundle's files",
            pytrace=False,
        )
    return started_rehearsal.result()


def _session_index(open_index: Callable[[], PackageIndex]) -> Iterator[PackageIndex]:
    """The index ``open_index`` opens, stopped when the session ends however it ended (a
    local one); an index that cannot be opened fails the test asking for it, with why."""
    from pytest_release.index.local import LocalIndex
    from pytest_release.index.package_index import PackageIndexError

    try:
        index = open_index()
    except PackageIndexError as error:  # pytest.fail, without the error it handles
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    try:
        yield index
    finally:
        if isinstance(index, LocalIndex):
            index.stop()


@pytest.fixture(scope="session")
def publish_log(pytestconfig: pytest.Config, release_settings: Settings) -> PublishLog:
    """What this session placed on each index and tagged: the failure messages of the
    publish gates say from it what is live where, and the command that resumes."""
    from pytest_release.publish.progress import PublishLog, rerun_command
    from pytest_release.session import state

    if state.PUBLISH_LOG not in pytestconfig.stash:
        pytestconfig.stash[state.PUBLISH_LOG] = PublishLog(
            version=str(release_settings.release_version),  # a publish run has one
            rerun=rerun_command(pytestconfig.invocation_params.args),
        )
    return pytestconfig.stash[state.PUBLISH_LOG]


@pytest.fixture(scope="session")
def testpypi_step(
    testpypi_index: PackageIndex,
    monorepo: Monorepo,
    release_scope: ReleaseScope,
    publish_log: PublishLog,
    proven_files: ProvenFiles,
    tmp_path_factory: pytest.TempPathFactory,
) -> PublishStep:
    """The upload of the release's files to the TestPyPI index: those the rehearsal
    installed, in this session or in the build job that wrote the release bundle."""
    from pytest_release.publish.upload import PublishStep

    scratch = tmp_path_factory.mktemp("from-testpypi")
    released = release_scope.released(monorepo.packages)
    return PublishStep(
        "testpypi", testpypi_index, monorepo, released, publish_log, scratch, proven_files
    )


@pytest.fixture(scope="session")
def pypi_step(
    pypi_index: PackageIndex,
    monorepo: Monorepo,
    publish_log: PublishLog,
    testpypi_step: PublishStep,
    tmp_path_factory: pytest.TempPathFactory,
) -> PublishStep:
    """The upload to the production index of the very files TestPyPI holds."""
    from pytest_release.publish.upload import PublishStep

    scratch = tmp_path_factory.mktemp("from-pypi")
    released = testpypi_step.packages
    proven = testpypi_step.proven
    return PublishStep(
        "pypi", pypi_index, monorepo, released, publish_log, scratch, proven, after=testpypi_step
    )


@pytest.fixture(scope="session")
def public_api_difference(
    release_settings: Settings,
    monorepo: Monorepo,
    release_tags: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> PublicApi:
    """Each module of ``public-api`` at the last release tag of its package against HEAD,
    read statically from ``git archive`` copies in a scratch folder; why a module was not
    compared, or cannot be read (never raised: the changelog gate asks for it too)."""
    from pytest_release.api.source import compare_public_api

    scratch = tmp_path_factory.mktemp("public-api")
    return compare_public_api(release_settings, monorepo, release_tags, scratch)


@pytest.fixture(scope="session")
def release_bundle(
    release_settings: Settings, publish_run: bool, request: pytest.FixtureRequest
) -> BundleReading | None:
    """In a publish run given ``--bundle=DIR``: the release bundle in DIR, read once and
    checked against HEAD, the release version and its packages, each file against its
    sha256 (``problems`` says why it is refused); None in any other run."""
    if not (publish_run and release_settings.bundle):
        return None
    from pytest_release.publish import bundle
    from pytest_release.session.state import bundle_source_of

    monorepo: Monorepo = request.getfixturevalue("monorepo")
    scope: ReleaseScope = request.getfixturevalue("release_scope")
    released = [package.name for package in scope.released(monorepo.packages)]
    version = str(release_settings.release_version)  # a publish run has one
    source = bundle_source_of(request.config, release_settings.bundle)
    return bundle.read_bundle(source, version, released)


@pytest.fixture(scope="session")
def proven_files(release_bundle: BundleReading | None) -> ProvenFiles:
    """What the publish sends to its first index, with the sha256 each file was proven
    with: the rehearsal's files as it uploads them, or an accepted release bundle's."""
    from pytest_release.publish.progress import ProvenFiles

    if release_bundle is None:
        return ProvenFiles("the rehearsal")
    return ProvenFiles(release_bundle.describe(), release_bundle.proven_files())
