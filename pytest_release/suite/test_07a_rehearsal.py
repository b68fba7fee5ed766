"""Gate 7a, rehearsal: the very files of the release uploaded to a local index in publish
order, installed from it into a fresh venv (the internal packages from that index alone,
the rest from the user's normal index), checked to be the files uploaded, and smoke-tested
from a scratch folder outside the repo: imports, python-smoke, console scripts, smoke."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_release import installed_dists, rehearsal, smoke
from pytest_release.dists import BuiltPackage
from pytest_release.gate import fail_with
from pytest_release.ledger import CHECKLIST_DETAIL
from pytest_release.local_index import IndexQueryError, LocalIndex
from pytest_release.monorepo import Monorepo, Package
from pytest_release.problems import Problem
from pytest_release.pyproject_reading import relative
from pytest_release.settings import Settings
from pytest_release.venv import CommandResult, FreshVenv, NotAttempted, VenvError

pytestmark = [pytest.mark.rehearsal]

INSTALLED = "installed from the rehearsal index"
INSTALL_CASE = "test_install_from_the_rehearsal_index"


@dataclass(frozen=True)
class Rehearsal:
    """The venv the release was installed into from the local index, and how that went."""

    venv: FreshVenv | None
    installation: rehearsal.Installation | NotAttempted
    scratch: Path  # an empty folder outside the repo, for the imports and --help

    def installed_venv(self) -> FreshVenv:
        """The venv; the case asking is skipped, with the reason, when the install failed."""
        installation = self.installation
        if isinstance(installation, NotAttempted):
            pytest.skip(f"not checked: {installation.reason}")
        if installation.offline:
            pytest.skip(f"not checked: {installation.offline}")
        if not installation.ok or self.venv is None:
            pytest.skip(
                f"not checked: the install from the rehearsal index failed (see {INSTALL_CASE})"
            )
        return self.venv


@pytest.fixture(scope="module")
def rehearsal_uploads(
    rehearsal_index: LocalIndex, monorepo: Monorepo, built_dists: Mapping[str, BuiltPackage]
) -> Mapping[str, CommandResult | NotAttempted]:
    """Every package's wheel and sdist uploaded in publish order, once for the gate."""
    return rehearsal.upload_in_order(rehearsal_index, monorepo, built_dists)


@pytest.fixture(scope="module")
def rehearsed(
    rehearsal_uploads: Mapping[str, CommandResult | NotAttempted],
    rehearsal_index: LocalIndex,
    monorepo: Monorepo,
    tmp_path_factory: pytest.TempPathFactory,
) -> Rehearsal:
    """The release installed from the rehearsal index into a venv of its own."""
    scratch = tmp_path_factory.mktemp("rehearsal-scratch")
    failed = next(((n, r) for n, r in rehearsal_uploads.items() if not r.ok), None)
    if failed is not None:
        name, result = failed
        why = result.reason if isinstance(result, NotAttempted) else "its upload failed"
        reason = f"not installed: {name} was not uploaded: {why}"
        return Rehearsal(None, NotAttempted(reason), scratch)
    try:
        venv = FreshVenv.create(tmp_path_factory.mktemp("rehearsal-venv") / "venv")
    except VenvError as error:
        pytest.fail(str(error), pytrace=False)
    installation = rehearsal.install_release(venv, monorepo, rehearsal_index.simple_url, os.environ)
    return Rehearsal(venv, installation, scratch)


@pytest.fixture(scope="module")
def installed(
    rehearsed: Rehearsal, monorepo: Monorepo
) -> Mapping[str, installed_dists.InstalledDist] | CommandResult:
    """The installed dists of the internal packages (by normalized name), read once."""
    if rehearsed.venv is None:
        return {}
    names = [package.name for package in monorepo.packages]
    return installed_dists.probe_installed(rehearsed.venv, names, rehearsed.scratch)


def test_upload_to_the_rehearsal_index(
    release_package: Package,
    rehearsal_uploads: Mapping[str, CommandResult | NotAttempted],
    built_dists: Mapping[str, BuiltPackage],
) -> None:
    result = rehearsal_uploads[release_package.name]
    if isinstance(result, NotAttempted):
        pytest.skip(f"not uploaded: {result.reason}")
    built = built_dists[release_package.name]
    files = ", ".join(path.name for path in (built.wheel, built.sdist) if path is not None)
    fail_with(
        []
        if result.ok
        else [
            Problem(
                f"`twine upload` of {files} to the rehearsal index failed: "
                f"{result.describe()}\n{result.tail()}",
                release_package.name,
                "fix what twine names above (most often metadata the index refuses: see "
                "`twine check` in the build gate)",
            )
        ]
    )


def test_install_from_the_rehearsal_index(rehearsed: Rehearsal, monorepo: Monorepo) -> None:
    """The top packages ``==VERSION``: the internal packages from the rehearsal index alone,
    third-party requirements from the normal index."""
    installation = rehearsed.installation
    if isinstance(installation, NotAttempted):
        pytest.skip(f"not checked: {installation.reason}")
    if installation.offline:
        pytest.skip(
            f"not checked: {installation.offline}; the rehearsal needs it for the "
            "third-party requirements"
        )
    targets = " ".join(map(rehearsal.pin, rehearsal.install_targets(monorepo)))
    fail_with(
        []
        if installation.ok
        else [
            Problem(
                f"installing {targets} from the rehearsal index failed: {installation.failure()}",
                ", ".join(package.name for package in monorepo.packages),
                "fix what the installer names above: most often an internal requirement whose "
                "range excludes the release, or a dependency no index offers",
            )
        ]
    )


def test_installed_dist_is_the_uploaded_wheel(
    release_package: Package,
    rehearsed: Rehearsal,
    installed: Mapping[str, installed_dists.InstalledDist] | CommandResult,
    rehearsal_index: LocalIndex,
    built_dists: Mapping[str, BuiltPackage],
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
) -> None:
    """Installed at the release version, with the files of the uploaded wheel, which the
    index lists with the built file's sha256. JUnit: what was installed."""
    rehearsed.installed_venv()
    if isinstance(installed, CommandResult):
        pytest.fail(
            f"{release_package.name}: reading what was installed failed: "
            f"{installed.describe()}\n{installed.tail()}",
            pytrace=False,
        )
    wheel = built_dists[release_package.name].wheel
    if wheel is None:  # not uploaded, so not installed either: see the upload case
        pytest.skip("not checked: the build made no wheel (see the build gate)")
    try:
        listed = rehearsal_index.files(release_package.name)
    except IndexQueryError as error:
        pytest.fail(f"{release_package.name}: {error}", pytrace=False)
    dist = installed.get(release_package.key)
    sha256 = installed_dists.file_sha256(wheel)
    request.node.user_properties += [
        ("rehearsal_dist", release_package.name),
        ("rehearsal_version", dist.version if dist else "not installed"),
        ("rehearsal_wheel_sha256", sha256),
        # Shown under the rehearsal's line of the final checklist.
        (
            CHECKLIST_DETAIL,
            f"installed {release_package.name} {dist.version if dist else '(none)'} "
            f"wheel sha256 {sha256}",
        ),
    ]
    targets = [rehearsal.pin(package) for package in rehearsal.install_targets(monorepo)]
    fail_with(
        [
            *installed_dists.index_problems(release_package, wheel, listed),
            *installed_dists.installed_problems(release_package, dist, wheel, targets),
        ]
    )


def test_installed_import_packages_import_with_the_version(
    release_package: Package,
    rehearsed: Rehearsal,
    release_settings: Settings,
    monorepo: Monorepo,
) -> None:
    """Its import packages and the public-API modules in them, imported from a folder
    outside the repo: a module the wheel lacks (hidden in the editable install by the
    source tree on the path) fails here, named."""
    venv = rehearsed.installed_venv()
    tops = release_package.import_packages
    public = [
        module
        for module in release_settings.public_api
        if any(module == top or module.startswith(f"{top}.") for top in tops)
    ]
    names = list(dict.fromkeys([*tops, *public]))
    where = relative(release_package.pyproject, monorepo.root)
    problems = smoke.import_check(
        venv, release_package, names, cwd=rehearsed.scratch, where=where, installed=INSTALLED
    )
    fail_with(rehearsal.missing_from_wheel(problems, monorepo))


def test_installed_console_scripts_answer_help(
    release_package: Package, rehearsed: Rehearsal, monorepo: Monorepo
) -> None:
    venv = rehearsed.installed_venv()
    where = relative(release_package.pyproject, monorepo.root)
    problems = smoke.help_problems(venv, release_package, cwd=rehearsed.scratch, where=where)
    fail_with(rehearsal.missing_from_wheel(problems, monorepo))


def test_installed_python_smoke(
    rehearsed: Rehearsal, release_settings: Settings, monorepo: Monorepo
) -> None:
    """Each `python-smoke` statement runs in the venv, from a folder outside the repo."""
    if not release_settings.python_smoke:
        pytest.skip(
            "no python-smoke statements: list them as `python-smoke = [...]` "
            "in [tool.pytest-release]"
        )
    venv = rehearsed.installed_venv()
    problems: list[Problem] = []
    for statement in release_settings.python_smoke:
        result = venv.python(
            statement, cwd=rehearsed.scratch, timeout=release_settings.smoke_timeout
        )
        why = smoke.not_passing(result)
        if why:
            problems.append(
                Problem(
                    f"`python -c {statement!r}` {why} with the release {INSTALLED}:\n"
                    f"{result.tail()}",
                    f"[tool.pytest-release] python-smoke in {release_settings.config_file}",
                    "make the statement pass against the installed packages: what it needs "
                    "must be in the wheels and their requirements",
                )
            )
    fail_with(rehearsal.missing_from_wheel(problems, monorepo))


def test_installed_smoke_command_ends_cleanly(
    smoke_command: str | None,
    rehearsed: Rehearsal,
    release_settings: Settings,
    monorepo: Monorepo,
    tmp_path: Path,
) -> None:
    """A `smoke` command, run with the installed release first on PATH, from a scratch
    folder holding copies of the repo's files that the command names (never the repo)."""
    if smoke_command is None:
        pytest.skip(smoke.NO_SMOKE_COMMANDS)
    venv = rehearsed.installed_venv()
    copied = smoke.demo_paths(smoke_command, monorepo.root, monorepo.packages)
    smoke.copy_demo_files(copied, monorepo.root, tmp_path)
    holding = f"copies of {', '.join(copied)}" if copied else "no file of the repo"
    problems = smoke.smoke_problems(
        venv,
        smoke_command,
        cwd=tmp_path,
        timeout=release_settings.smoke_timeout,
        where=f"[tool.pytest-release] smoke in {release_settings.config_file}",
        ran=f" with the release {INSTALLED}, run from a scratch folder holding {holding}",
    )
    fail_with(rehearsal.missing_from_wheel(problems, monorepo))
