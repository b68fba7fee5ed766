"""The release installed from an index into fresh venvs, one per set of packages installed
together (each top package with what it reaches, or all with ``rehearsal-together``), and the
checks run against it: a package's checks in the venv of the first install holding it, a
smoke check in each install holding what it starts or imports.

The rehearsal (a local index) and the testpypi gate (the index the release goes to first)
run the same checks; each gate module names its cases and passes its own index. Like
``gate.py``, this module ends checks with pytest's fail and skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from pytest_release.checklist import CHECKLIST_DETAIL
from pytest_release.checks import smoke
from pytest_release.dists import installed as installed_dists
from pytest_release.dists.build import BuiltPackage
from pytest_release.dists.files import file_sha256
from pytest_release.dists.venv import FreshVenv, NotAttempted, VenvError
from pytest_release.gate import fail_with, skip_blocked, skip_nothing_to_check
from pytest_release.index.local import LocalIndex
from pytest_release.index.package_index import IndexQueryError, PackageIndex
from pytest_release.problems import Problem
from pytest_release.process import CommandResult
from pytest_release.publish import rehearsal
from pytest_release.publish.install_sets import (
    InstallSet,
    imported_modules,
    install_sets,
    owners,
    started_script,
)
from pytest_release.publish.progress import ProvenFile
from pytest_release.settings import Settings
from pytest_release.target.monorepo import Monorepo, Package
from pytest_release.target.pyproject import relative

Probe = Mapping[str, installed_dists.InstalledDist] | CommandResult


@dataclass(frozen=True)
class Install:
    """One venv of the installed release: the packages installed into it, and how that
    went (``venv`` None: not made, as nothing was to be installed)."""

    packages: InstallSet
    venv: FreshVenv | None
    installation: rehearsal.Installation | NotAttempted


@dataclass(frozen=True)
class InstalledRelease:
    """The release installed from one index, one venv per set of packages installed
    together (see ``install_sets``), and how that went."""

    installs: tuple[Install, ...]
    scratch: Path  # an empty folder outside the repo, for the imports and --help
    source: str  # "the rehearsal index", "testpypi": where it was installed from
    install_case: str  # the case that reports the install
    property_prefix: str  # of the JUnit properties saying what was installed
    after_failure: str = ""  # what a failure means beyond its fix (a published version)

    def installed(self, install: Install) -> str:
        """``installed from the rehearsal index``, naming the install when there are
        several."""
        where = f", in the venv of {install.packages.named}" if len(self.installs) > 1 else ""
        return f"installed from {self.source}{where}"

    def install_of(self, package: Package) -> Install:
        """The first install holding ``package`` (every package of the release is in one)."""
        return next(install for install in self.installs if package in install.packages.packages)

    def fail_with(self, problems: Iterable[Problem]) -> None:
        """``gate.fail_with``, each fix followed by what a failure here means."""
        extra = f" {self.after_failure}" if self.after_failure else ""
        fail_with(replace(problem, fix=problem.fix + extra) for problem in problems)

    def installed_venv(self, install: Install) -> FreshVenv:
        """Its venv; the case asking is skipped, with the reason, when the install failed."""
        installation = install.installation
        if isinstance(installation, NotAttempted):
            skip_blocked(f"not checked: {installation.reason}")
        if installation.offline:
            skip_blocked(f"not checked: {installation.offline}")
        if not installation.ok or install.venv is None:
            skip_blocked(
                f"not checked: the install of {install.packages.named} from {self.source} "
                f"failed (see {self.install_case})"
            )
        return install.venv


def install_from(
    index: PackageIndex,
    not_uploaded: str | None,
    monorepo: Monorepo,
    tmp_path_factory: pytest.TempPathFactory,
    *,
    source: str,
    install_case: str,
    property_prefix: str,
    together: bool,
    after_failure: str = "",
    released: Sequence[Package] | None = None,
) -> InstalledRelease:
    """The release installed from ``index``, each set of packages installed together
    (``together``: all in one) into a venv of its own; not attempted when ``not_uploaded``
    says why the index does not hold all of it. Given ``released``, the index holds those
    packages only; the others come from the user's normal indexes, and a set holding none
    of the released packages is not installed."""
    scratch = tmp_path_factory.mktemp(f"{property_prefix}-scratch")
    sets = [
        packages
        for packages in install_sets(monorepo, together=together)
        if released is None or any(package in released for package in packages.packages)
    ]
    if not_uploaded is not None:
        why = NotAttempted(f"not installed: {not_uploaded}")
        installs = [Install(packages, None, why) for packages in sets]
    else:
        folders = [tmp_path_factory.mktemp(f"{property_prefix}-venv") / "venv" for _ in sets]

        def install(packages: InstallSet, folder: Path) -> Install:
            venv = FreshVenv.create(folder)
            installation = rehearsal.install_release(
                venv, monorepo, index.simple_url, os.environ, released, packages.packages
            )
            return Install(packages, venv, installation)

        # The installs are independent (a venv each): side by side, as many as the cores.
        workers = max(1, min(len(sets), os.cpu_count() or 1))
        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="install") as pool:
                installs = list(pool.map(install, sets, folders))
        except VenvError as error:
            message = str(error)
            raise pytest.fail.Exception(message, pytrace=False) from None
    return InstalledRelease(
        tuple(installs), scratch, source, install_case, property_prefix, after_failure
    )


@dataclass(frozen=True)
class Rehearsal:
    """The rehearsal's work on its local index: each package's upload, the files the index
    received with the sha256 it lists (what a publish run sends on), and the release
    installed from it."""

    uploads: Mapping[str, CommandResult | NotAttempted]
    received: Mapping[str, tuple[ProvenFile, ...]]
    installed: InstalledRelease


def rehearse(
    index: LocalIndex,
    monorepo: Monorepo,
    built: Mapping[str, BuiltPackage],
    tmp_path_factory: pytest.TempPathFactory,
    *,
    together: bool,
) -> Rehearsal:
    """Upload every package's built files to the rehearsal's ``index`` and install the
    release from it (``together``: every top package into one venv)."""
    uploads = rehearsal.upload_in_order(index, monorepo, built)
    installed = install_from(
        index,
        rehearsal.why_not_all_uploaded(uploads),
        monorepo,
        tmp_path_factory,
        source="the rehearsal index",
        install_case="test_install_from_the_rehearsal_index",
        property_prefix="rehearsal",
        together=together,
    )
    return Rehearsal(uploads, rehearsal.received_files(index, built, uploads), installed)


def probe(release: InstalledRelease, monorepo: Monorepo) -> Probe:
    """The installed dists of the internal packages (by normalized name), each read in the
    venv of its install, once."""
    found: dict[str, installed_dists.InstalledDist] = {}
    for install in release.installs:
        if install.venv is None:
            continue
        names = [p.name for p in monorepo.packages if release.install_of(p) is install]
        probed = installed_dists.probe_installed(install.venv, names, release.scratch)
        if isinstance(probed, CommandResult):
            return probed
        found |= probed
    return found


def check_install(release: InstalledRelease) -> None:
    """Each install: its top packages ``==VERSION`` with every package they reach, the
    internal packages from that index alone, third-party requirements from the normal
    index. A failed install fails, named; one not attempted, or stopped by an unreachable
    index, skips when none failed."""
    failed: list[Problem] = []
    blocked: list[str] = []
    for install in release.installs:
        installation = install.installation
        if isinstance(installation, NotAttempted):
            blocked.append(installation.reason)
        elif installation.offline:
            blocked.append(
                f"{installation.offline}; the install needs it for the third-party requirements"
            )
        elif not installation.ok:
            failed.append(install_problem(release, install, installation))
    if blocked and not failed:
        skip_blocked(f"not checked: {blocked[0]}")
    release.fail_with(failed)


def install_problem(
    release: InstalledRelease, install: Install, installation: rehearsal.Installation
) -> Problem:
    """The failed ``install``, with the installer's words (naming, for a conflict, both
    requirements)."""
    tops = install.packages.tops
    targets = " ".join(map(rehearsal.pin, install.packages.packages))
    fix = (
        "fix what the installer names above: most often an internal requirement whose "
        "range excludes the release, or a dependency no index offers"
    )
    if len(tops) > 1:
        fix += (
            "; rehearsal-together = true installs the top packages into one venv: make "
            "their requirements agree, or drop the setting when they need not co-install"
        )
    return Problem(
        f"installing {targets} from {release.source} failed: {installation.failure()}",
        ", ".join(package.name for package in tops),
        fix,
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
    install = release.install_of(package)
    release.installed_venv(install)
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
    targets = [rehearsal.pin(each) for each in install.packages.packages]
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
    install = release.install_of(package)
    venv = release.installed_venv(install)
    tops = package.import_packages
    public = [
        module
        for module in settings.public_api
        if any(module == top or module.startswith(f"{top}.") for top in tops)
    ]
    names = list(dict.fromkeys([*tops, *public]))
    where = relative(package.pyproject, monorepo.root)
    problems = smoke.import_check(
        venv, package, names, cwd=release.scratch, where=where, installed=release.installed(install)
    )
    release.fail_with(rehearsal.missing_from_wheel(problems, monorepo))


def check_console_scripts(package: Package, release: InstalledRelease, monorepo: Monorepo) -> None:
    venv = release.installed_venv(release.install_of(package))
    where = relative(package.pyproject, monorepo.root)
    problems = smoke.help_problems(venv, package, cwd=release.scratch, where=where)
    release.fail_with(rehearsal.missing_from_wheel(problems, monorepo))


def where_to_run(
    release: InstalledRelease, needed: Sequence[Package], what: str, config: str
) -> tuple[list[tuple[Install, FreshVenv]], list[Problem]]:
    """The installs a smoke check runs in, with their venvs: each one holding the ``needed``
    packages (with one install, that one); the case is skipped when one of them failed.
    None holds them all: a problem saying so, for ``what``."""
    holding = [install for install in release.installs if install.packages.holds(needed)]
    if holding:
        return [(install, release.installed_venv(install)) for install in holding], []
    names = ", ".join(package.name for package in needed)
    return [], [
        Problem(
            f"{what} needs {names}, which no one install holds: each top package is installed "
            f"from {release.source} into a venv of its own",
            config,
            "run the check against one top package at a time, or set rehearsal-together = "
            "true when the top packages must be installed together",
        )
    ]


def check_python_smoke(release: InstalledRelease, settings: Settings, monorepo: Monorepo) -> None:
    """Each `python-smoke` statement runs from a folder outside the repo, in each install
    holding the packages whose modules it imports (every install when it imports none)."""
    if not settings.python_smoke:
        skip_nothing_to_check(
            "no python-smoke statements; list them as `python-smoke = [...]` "
            "in [tool.pytest-release]"
        )
    config = f"[tool.pytest-release] python-smoke in {settings.config_file}"
    problems: list[Problem] = []
    for statement in settings.python_smoke:
        needed = owners(imported_modules(statement), monorepo.packages)
        installs, unplaced = where_to_run(release, needed, f"`python -c {statement!r}`", config)
        problems += unplaced
        for install, venv in installs:
            result = venv.python(statement, cwd=release.scratch, timeout=settings.smoke_timeout)
            why = smoke.not_passing(result)
            if why:
                problems.append(
                    Problem(
                        f"`python -c {statement!r}` {why} with the release "
                        f"{release.installed(install)}:\n{result.tail()}",
                        config,
                        "make the statement pass against the installed packages: what it "
                        "needs must be in the wheels and their requirements",
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
    holding copies of the repo's files that the command names (never the repo): in the
    install holding the package whose console script it starts, or in each install when
    it starts none."""
    if command is None:
        skip_nothing_to_check(smoke.NO_SMOKE_COMMANDS)
    copied = smoke.demo_paths(command, monorepo.root, monorepo.packages)
    smoke.copy_demo_files(copied, monorepo.root, scratch)
    holding = f"copies of {', '.join(copied)}" if copied else "no file of the repo"
    config = f"[tool.pytest-release] smoke in {settings.config_file}"
    needed = started_script(command, monorepo.packages)
    installs, problems = where_to_run(release, needed, f"`{command}`", config)
    for install, venv in installs:
        problems += smoke.smoke_problems(
            venv,
            command,
            cwd=scratch,
            timeout=settings.smoke_timeout,
            where=config,
            ran=f" with the release {release.installed(install)}, run from a scratch folder "
            f"holding {holding}",
        )
    release.fail_with(rehearsal.missing_from_wheel(problems, monorepo))
