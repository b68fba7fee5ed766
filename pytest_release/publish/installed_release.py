"""The release installed from an index into a fresh venv, and the checks run against it.

The rehearsal (a local index) and the testpypi gate (the index the release goes to first)
run the same checks; each gate module names its cases and passes its own index. Like
``gate.py``, this module ends checks with pytest's fail and skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.checks import smoke
from pytest_release.dists import installed as installed_dists
from pytest_release.dists.files import file_sha256
from pytest_release.dists.venv import FreshVenv, NotAttempted, VenvError
from pytest_release.gate import fail_with, skip_blocked, skip_nothing_to_check
from pytest_release.index.package_index import IndexQueryError, PackageIndex
from pytest_release.problems import Problem
from pytest_release.process import CommandResult
from pytest_release.publish import rehearsal
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo, Package
from pytest_release.target.pyproject import relative

Probe = Mapping[str, installed_dists.InstalledDist] | CommandResult


@dataclass(frozen=True)
class InstalledRelease:
    """The venv the release was installed into from one index, and how that went."""

    venv: FreshVenv | None
    installation: rehearsal.Installation | NotAttempted
    scratch: Path  # an empty folder outside the repo, for the imports and --help
    source: str  # "the rehearsal index", "testpypi": where it was installed from
    install_case: str  # the case that reports the install
    property_prefix: str  # of the JUnit properties saying what was installed
    after_failure: str = ""  # what a failure means beyond its fix (a published version)

    @property
    def installed(self) -> str:
        return f"installed from {self.source}"

    def fail_with(self, problems: Iterable[Problem]) -> None:
        """``gate.fail_with``, each fix followed by what a failure here means."""
        extra = f" {self.after_failure}" if self.after_failure else ""
        fail_with(replace(problem, fix=problem.fix + extra) for problem in problems)

    def installed_venv(self) -> FreshVenv:
        """The venv; the case asking is skipped, with the reason, when the install failed."""
        installation = self.installation
        if isinstance(installation, NotAttempted):
            skip_blocked(f"not checked: {installation.reason}")
        if installation.offline:
            skip_blocked(f"not checked: {installation.offline}")
        if not installation.ok or self.venv is None:
            skip_blocked(
                f"not checked: the install from {self.source} failed (see {self.install_case})"
            )
        return self.venv


def install_from(
    index: PackageIndex,
    not_uploaded: str | None,
    monorepo: Monorepo,
    tmp_path_factory: pytest.TempPathFactory,
    *,
    source: str,
    install_case: str,
    property_prefix: str,
    after_failure: str = "",
    released: Sequence[Package] | None = None,
) -> InstalledRelease:
    """The release installed from ``index`` into a venv of its own; not attempted when
    ``not_uploaded`` says why the index does not hold all of it. Given ``released``, the
    index holds those packages only; the others come from the user's normal indexes."""
    scratch = tmp_path_factory.mktemp(f"{property_prefix}-scratch")
    venv: FreshVenv | None = None
    installation: rehearsal.Installation | NotAttempted
    if not_uploaded is not None:
        installation = NotAttempted(f"not installed: {not_uploaded}")
    else:
        try:
            venv = FreshVenv.create(tmp_path_factory.mktemp(f"{property_prefix}-venv") / "venv")
        except VenvError as error:
            message = str(error)
            raise pytest.fail.Exception(message, pytrace=False) from None
        installation = rehearsal.install_release(
            venv, monorepo, index.simple_url, os.environ, released
        )
    return InstalledRelease(
        venv, installation, scratch, source, install_case, property_prefix, after_failure
    )


def probe(release: InstalledRelease, monorepo: Monorepo) -> Probe:
    """The installed dists of the internal packages (by normalized name), read once."""
    if release.venv is None:
        return {}
    names = [package.name for package in monorepo.packages]
    return installed_dists.probe_installed(release.venv, names, release.scratch)


def check_install(release: InstalledRelease, monorepo: Monorepo) -> None:
    """The top packages ``==VERSION``: the internal packages from that index alone,
    third-party requirements from the normal index."""
    installation = release.installation
    if isinstance(installation, NotAttempted):
        skip_blocked(f"not checked: {installation.reason}")
    if installation.offline:
        skip_blocked(
            f"not checked: {installation.offline}; the install needs it for the "
            "third-party requirements"
        )
    targets = " ".join(map(rehearsal.pin, monorepo.packages))
    release.fail_with(
        []
        if installation.ok
        else [
            Problem(
                f"installing {targets} from {release.source} failed: {installation.failure()}",
                ", ".join(package.name for package in monorepo.packages),
                "fix what the installer names above: most often an internal requirement whose "
                "range excludes the release, or a dependency no index offers",
            )
        ]
    )


def check_installed_wheel(
    package: Package,
    release: InstalledRelease,
    installed: Probe,
    index: PackageIndex,
    wheel: Path | None,
    monorepo: Monorepo,
    request: pytest.FixtureRequest,
) -> None:
    """Installed at the release version, with the files of the uploaded ``wheel``, which
    the index lists with its sha256. JUnit: what was installed."""
    release.installed_venv()
    if isinstance(installed, CommandResult):
        pytest.fail(
            f"{package.name}: reading what was installed failed: "
            f"{installed.describe()}\n{installed.tail()}",
            pytrace=False,
        )
    if wheel is None:  # not uploaded, so not installed either
        skip_blocked("not checked: no wheel of it was uploaded (see the upload case)")
    try:
        listed = index.files(package.name)
    except IndexQueryError as error:
        pytest.fail(f"{package.name}: {error}", pytrace=False)
    dist = installed.get(package.key)
    sha256 = file_sha256(wheel)
    prefix = release.property_prefix
    request.node.user_properties += [
        (f"{prefix}_dist", package.name),
        (f"{prefix}_version", dist.version if dist else "not installed"),
        (f"{prefix}_wheel_sha256", sha256),
        # Shown under the gate's line of the final checklist.
        (
            CHECKLIST_DETAIL,
            f"installed {package.name} {dist.version if dist else '(none)'} wheel sha256 {sha256}",
        ),
    ]
    targets = [rehearsal.pin(each) for each in monorepo.packages]
    release.fail_with(
        [
            *installed_dists.index_problems(package, wheel, listed),
            *installed_dists.installed_problems(package, dist, wheel, targets),
        ]
    )


def check_imports(
    package: Package, release: InstalledRelease, settings: Settings, monorepo: Monorepo
) -> None:
    """Its import packages and the public-API modules in them, imported from a folder
    outside the repo: a module the wheel lacks (hidden in the editable install by the
    source tree on the path) fails here, named."""
    venv = release.installed_venv()
    tops = package.import_packages
    public = [
        module
        for module in settings.public_api
        if any(module == top or module.startswith(f"{top}.") for top in tops)
    ]
    names = list(dict.fromkeys([*tops, *public]))
    where = relative(package.pyproject, monorepo.root)
    problems = smoke.import_check(
        venv, package, names, cwd=release.scratch, where=where, installed=release.installed
    )
    release.fail_with(rehearsal.missing_from_wheel(problems, monorepo))


def check_console_scripts(package: Package, release: InstalledRelease, monorepo: Monorepo) -> None:
    venv = release.installed_venv()
    where = relative(package.pyproject, monorepo.root)
    problems = smoke.help_problems(venv, package, cwd=release.scratch, where=where)
    release.fail_with(rehearsal.missing_from_wheel(problems, monorepo))


def check_python_smoke(release: InstalledRelease, settings: Settings, monorepo: Monorepo) -> None:
    """Each `python-smoke` statement runs in the venv, from a folder outside the repo."""
    if not settings.python_smoke:
        skip_nothing_to_check(
            "no python-smoke statements; list them as `python-smoke = [...]` "
            "in [tool.pytest-release]"
        )
    venv = release.installed_venv()
    problems: list[Problem] = []
    for statement in settings.python_smoke:
        result = venv.python(statement, cwd=release.scratch, timeout=settings.smoke_timeout)
        why = smoke.not_passing(result)
        if why:
            problems.append(
                Problem(
                    f"`python -c {statement!r}` {why} with the release {release.installed}:\n"
                    f"{result.tail()}",
                    f"[tool.pytest-release] python-smoke in {settings.config_file}",
                    "make the statement pass against the installed packages: what it needs "
                    "must be in the wheels and their requirements",
                )
            )
    release.fail_with(rehearsal.missing_from_wheel(problems, monorepo))


def check_smoke_command(
    command: str | None,
    release: InstalledRelease,
    settings: Settings,
    monorepo: Monorepo,
    scratch: Path,
) -> None:
    """A `smoke` command, run with the installed release first on PATH, from ``scratch``
    holding copies of the repo's files that the command names (never the repo)."""
    if command is None:
        skip_nothing_to_check(smoke.NO_SMOKE_COMMANDS)
    venv = release.installed_venv()
    copied = smoke.demo_paths(command, monorepo.root, monorepo.packages)
    smoke.copy_demo_files(copied, monorepo.root, scratch)
    holding = f"copies of {', '.join(copied)}" if copied else "no file of the repo"
    problems = smoke.smoke_problems(
        venv,
        command,
        cwd=scratch,
        timeout=settings.smoke_timeout,
        where=f"[tool.pytest-release] smoke in {settings.config_file}",
        ran=f" with the release {release.installed}, run from a scratch folder holding {holding}",
    )
    release.fail_with(rehearsal.missing_from_wheel(problems, monorepo))
