"""The rehearsal: the release's very files uploaded to a local index, installed from it into
fresh venvs (a set of packages in each: see ``install_sets``), and checked to be what was
installed. No pytest here: the gate turns what these
functions find into failures and skips.

The install takes the release's own packages from the index under test alone and every
other requirement from the user's normal indexes alone, so that no name is ever resolved
from the wrong index: a same-named project of a higher version on the normal index cannot
replace an internal package, and a third-party name that someone registered on TestPyPI
(anyone can) is never installed from there. No installer can say "these names from that
index only" on its command line, so the install takes three steps, the same with uv and pip:

1. every internal package ``name==VERSION``, its wheel only, without dependencies, from the
   index under test: the only index the installer sees (the user's index variables are
   removed, and uv's and pip's configuration files are not read);
2. their third-party requirements from the user's normal indexes, the internal packages
   pinned, so that those already installed stand;
3. ``uv pip check`` / ``pip check``: every installed distribution's requirements are met,
   the internal ranges among them.

Index URLs, with whatever credentials are written into them, reach the installer through
its environment, never its command line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name

from pytest_release.dists.venv import INSTALL_SECONDS, NotAttempted
from pytest_release.index.names import IndexFile, bypassing_proxy, sha256_by_name
from pytest_release.index.package_index import IndexQueryError
from pytest_release.problems import Problem
from pytest_release.process import Access, CommandResult, run_command
from pytest_release.publish.progress import ProvenFile
from pytest_release.redact import INSTALL_INDEX_VARIABLES
from pytest_release.target.pyproject import relative

if TYPE_CHECKING:
    from pytest_release.dists.build import BuiltPackage
    from pytest_release.dists.venv import FreshVenv
    from pytest_release.target.monorepo import Monorepo, Package


# What an installer says when it cannot connect to an index (uv, then pip / urllib3).
_UNREACHABLE = re.compile(
    r"client error \(Connect\)|dns error|failed to lookup address|connection refused"
    r"|network is unreachable|no route to host|timed out|network connectivity is disabled"
    r"|NewConnectionError|NameResolutionError|temporary failure in name resolution"
    r"|name or service not known|Max retries exceeded",
    re.IGNORECASE,
)
# An index named in that output: a URL, urllib3's host and port, or a name not resolved.
_ENDPOINT = re.compile(
    r"(https?://[^\s`'\"),]+)|host='([^']+)', port=(\d+)|Failed to resolve '([^']+)'"
)
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
_CAUSE = re.compile(r"^\s*(?:cause:|Caused by:)\s*(.+)$", re.MULTILINE)


class Uploader(Protocol):
    def upload(self, files: Sequence[Path]) -> CommandResult: ...
    def clear(self) -> None: ...


class Lister(Protocol):
    def files(self, project: str) -> list[IndexFile]: ...


# -- upload -----------------------------------------------------------------------------------


def upload_in_order(
    index: Uploader, monorepo: Monorepo, built: Mapping[str, BuiltPackage]
) -> dict[str, CommandResult | NotAttempted]:
    """Upload every package's wheel and sdist to the session's own index, in one twine
    command when every package has both: nothing installs from that index meanwhile, so
    the order within the command does not matter, and one command saves a twine start per
    package. Otherwise, or when that command fails, the index is emptied and the packages
    go one at a time in publish order, as a real publish goes, so that a failure names its
    package and stops the upload: the packages after it are not attempted (and
    ``NotAttempted.reason`` says why a package was not uploaded)."""
    made = [built.get(package.name) for package in monorepo.packages]
    wheels = [each.wheel for each in made if each is not None and each.wheel is not None]
    sdists = [each.sdist for each in made if each is not None and each.sdist is not None]
    if len(wheels) == len(sdists) == len(made) > 0:
        together = index.upload([*wheels, *sdists])  # wheels first: twine's own order
        if together.ok:
            return dict.fromkeys((package.name for package in monorepo.packages), together)
        index.clear()
    return _upload_one_at_a_time(index, monorepo, built)


def _upload_one_at_a_time(
    index: Uploader, monorepo: Monorepo, built: Mapping[str, BuiltPackage]
) -> dict[str, CommandResult | NotAttempted]:
    results: dict[str, CommandResult | NotAttempted] = {}
    stopped: str | None = None
    for package in monorepo.packages:
        made = built.get(package.name)
        if stopped is not None:
            results[package.name] = NotAttempted(
                f"the upload stopped at {stopped}, which could not be uploaded before it"
            )
            continue
        if made is None or made.wheel is None or made.sdist is None:
            # Say why here too: with `-m rehearsal` the build gate is not in the session.
            why = (made.error or "").strip().splitlines()[:1] if made else []
            results[package.name] = NotAttempted(
                "the build made no wheel and sdist of it"
                + (f": {why[0]}" if why else "")
                + " (see the build gate)"
            )
        else:
            results[package.name] = index.upload([made.wheel, made.sdist])
        if not results[package.name].ok:
            stopped = package.name
    return results


def received_files(
    index: Lister,
    built: Mapping[str, BuiltPackage],
    results: Mapping[str, CommandResult | NotAttempted],
) -> dict[str, tuple[ProvenFile, ...]]:
    """Each uploaded package's wheel and sdist, with the sha256 the rehearsal index lists for
    it: the bytes the rehearsal installs. A file the index does not list with a sha256 is
    left out (its package is then not proven, and nothing of it is published)."""
    proven: dict[str, tuple[ProvenFile, ...]] = {}
    for name, result in results.items():
        made = built.get(name)
        if not result.ok or made is None or made.wheel is None or made.sdist is None:
            continue
        try:
            listed = sha256_by_name(index.files(name))
        except IndexQueryError:
            continue
        files = tuple(
            ProvenFile(path, listed[path.name])
            for path in (made.wheel, made.sdist)
            if listed.get(path.name)
        )
        if len(files) == 2:
            proven[name] = files
    return proven


def why_not_all_uploaded(results: Mapping[str, CommandResult | NotAttempted]) -> str | None:
    """Why the index does not hold the whole release: the first package not uploaded."""
    for name, result in results.items():
        if not result.ok:
            why = result.reason if isinstance(result, NotAttempted) else "its upload failed"
            return f"{name} was not uploaded: {why}"
    return None


def upload_problems(package: Package, result: CommandResult, built: BuiltPackage) -> list[Problem]:
    """The upload of ``package``'s files to the rehearsal index, when it failed."""
    if result.ok:
        return []
    files = ", ".join(path.name for path in (built.wheel, built.sdist) if path is not None)
    return [
        Problem(
            f"`twine upload` of {files} to the rehearsal index failed: "
            f"{result.describe()}\n{result.tail()}",
            package.name,
            "fix what twine names above (most often metadata the index refuses: see "
            "`twine check` in the build gate)",
        )
    ]


# -- what to install, and how -----------------------------------------------------------------


def pin(package: Package) -> str:
    return f"{package.name}=={package.version_text}"


def third_party_requirements(
    monorepo: Monorepo, packages: Sequence[Package] | None = None
) -> list[str]:
    """The requirements of the internal packages (``packages``, by default all) on other
    projects: their own, and those of the extras they ask of each other (``core[fast]``),
    once each."""
    keys = {package.key for package in monorepo.packages}
    found: dict[str, None] = {}
    for package in monorepo.packages if packages is None else packages:
        wanted = list(package.dependencies)
        for requirement in package.dependencies:
            if canonicalize_name(requirement.name) in keys:
                other = monorepo.package(requirement.name)
                for extra in sorted(requirement.extras):
                    wanted += other.optional_dependencies.get(extra, ())
        for requirement in wanted:
            if canonicalize_name(requirement.name) not in keys:
                found[str(requirement)] = None
    return list(found)


@dataclass(frozen=True)
class InstallStep:
    """One installer command, with the environment variables it sets and removes."""

    command: tuple[str, ...]
    variables: Mapping[str, str] = field(default_factory=dict)
    removed: tuple[str, ...] = ()


def normal_indexes(environ: Mapping[str, str], *, uv: bool) -> dict[str, str]:
    """The user's normal indexes for the installer: uv reads its own variables, and pip's
    ``PIP_INDEX_URL`` / ``PIP_EXTRA_INDEX_URL`` spelled as uv's when uv's are not set."""
    if not uv:
        return {}
    variables: dict[str, str] = {}
    default = environ.get("PIP_INDEX_URL", "").strip()
    if default and not environ.get("UV_DEFAULT_INDEX") and not environ.get("UV_INDEX_URL"):
        variables["UV_DEFAULT_INDEX"] = default
    extra = environ.get("PIP_EXTRA_INDEX_URL", "").split()
    if extra and not environ.get("UV_INDEX") and not environ.get("UV_EXTRA_INDEX_URL"):
        variables["UV_INDEX"] = " ".join(extra)
    return variables


def install_steps(
    venv: FreshVenv,
    simple_url: str,
    monorepo: Monorepo,
    environ: Mapping[str, str],
    released: Sequence[Package] | None = None,
    packages: Sequence[Package] | None = None,
) -> list[InstallStep]:
    """The steps that install ``packages`` of the release (by default all; a set that holds
    every package it requires) into ``venv`` (see the module docstring). The internal
    packages the release leaves out (not ``released``, when given) are published already:
    they come, pinned, from the user's normal indexes, with the third-party requirements."""
    python = str(venv.python_executable)
    installing = monorepo.packages if packages is None else packages
    pins = [pin(package) for package in installing]
    on_index = [pin(package) for package in installing if released is None or package in released]
    install: tuple[str, ...]
    check: tuple[str, ...]
    isolated: tuple[str, ...]  # options that keep the installer's configuration files out
    if venv.uv:
        install = (venv.uv, "pip", "install", "--python", python)
        only_under_test = {"UV_DEFAULT_INDEX": simple_url}
        check = (venv.uv, "pip", "check", "--python", python)
        isolated = ("--no-config",)
    else:
        install = (python, "-m", "pip", "install", "--disable-pip-version-check")
        only_under_test = {"PIP_INDEX_URL": simple_url, "PIP_CONFIG_FILE": os.devnull}
        check = (python, "-m", "pip", "check", "--disable-pip-version-check")
        isolated = ()
    steps = [
        InstallStep(
            (*install, *isolated, "--no-deps", "--only-binary", ":all:", *on_index),
            only_under_test,
            (*INSTALL_INDEX_VARIABLES, "UV_INDEX_STRATEGY", "UV_NO_INDEX", "PIP_NO_INDEX"),
        )
    ]
    third_party = third_party_requirements(monorepo, installing)
    if third_party or len(on_index) < len(pins):
        steps.append(
            InstallStep((*install, *third_party, *pins), normal_indexes(environ, uv=bool(venv.uv)))
        )
    return [*steps, InstallStep(check)]


# -- the install ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Installation:
    """The commands run to install the release; ``offline`` says which index of the user's
    could not be reached when that is why the install failed."""

    results: tuple[CommandResult, ...]
    offline: str | None = None

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def failure(self) -> str:
        """The failed command and the last lines of its output (the runner masked every
        secret in it)."""
        failed = next((result for result in self.results if not result.ok), None)
        if failed is None:
            return ""
        return f"{failed.describe()}\n{failed.tail()}"


def install_release(
    venv: FreshVenv,
    monorepo: Monorepo,
    simple_url: str,
    environ: Mapping[str, str],
    released: Sequence[Package] | None = None,
    packages: Sequence[Package] | None = None,
) -> Installation | NotAttempted:
    """Install ``packages`` of the release (by default all) into ``venv`` from the index at
    ``simple_url``, step by step until one fails (``released``, ``packages``: as
    ``install_steps`` takes them); ``NotAttempted`` when a package's version cannot be
    read."""
    installing = monorepo.packages if packages is None else packages
    unreadable = [package.name for package in installing if package.version is None]
    if unreadable:
        return NotAttempted(
            f"not installed: the version of {', '.join(unreadable)} cannot be read "
            "(see the versions gate)"
        )
    results: list[CommandResult] = []
    for step in install_steps(venv, simple_url, monorepo, environ, released, packages):
        environment = venv.environment(step.variables, access=Access.INSTALL)
        for name in step.removed:
            if name not in step.variables:
                environment.pop(name, None)
        # The local index is on 127.0.0.1: a proxy set for the internet must not take it.
        result = run_command(
            step.command,
            cwd=venv.path,
            timeout=INSTALL_SECONDS,
            environment=bypassing_proxy(environment),
        )
        results.append(result)
        if not result.ok:
            return Installation(tuple(results), unreachable_index(result.output, simple_url))
    return Installation(tuple(results), None)


def unreachable_index(output: str, local_url: str) -> str | None:
    """Why the install failed when it is that an index of the user's could not be reached
    (no network, a DNS failure, a refused connection, a timeout), else None.

    It takes an installer's connection error naming an address other than the local
    index's, or naming none (pip's lines for PyPI name only the path). The local index
    unreachable, or no version that satisfies a requirement, is a failure, not this."""
    marker = _UNREACHABLE.search(output)
    if marker is None:
        return None
    local = urlsplit(local_url)
    named: list[tuple[str, bool]] = []  # (the index as shown, whether it is the local one)
    for url, host, port, resolving in _ENDPOINT.findall(output):
        if url:
            parts = urlsplit(url)
            address = (parts.hostname, parts.port)
            shown = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        else:
            address = (host or resolving, int(port) if port else None)
            shown = f"{address[0]}:{port}" if port else address[0]
        named.append((shown, address == (local.hostname, local.port)))
    others = [shown for shown, is_local in named if not is_local]
    if named and not others:
        return None
    causes = _CAUSE.findall(output)  # uv's chain of causes, the most specific last
    line = output[output.rfind("\n", 0, marker.start()) + 1 :].partition("\n")[0]
    detail = causes[-1].strip() if causes else _UNREACHABLE.findall(line)[-1]
    where = f"the package index {others[0]}" if others else "the package index"
    return f"{where} could not be reached ({detail})"


# -- a module the wheel lacks -----------------------------------------------------------------


def missing_from_wheel(problems: Iterable[Problem], monorepo: Monorepo) -> list[Problem]:
    """``problems``, where one quotes ``No module named 'X'`` for an X that a package's source
    tree holds, with the fix for what that means: X is missing from the package's wheel (an
    editable install, with the source tree on the path, does not show it)."""
    told: list[Problem] = []
    for problem in problems:
        for name in _MISSING_MODULE.findall(problem.what):
            found = monorepo.module_source(name)
            if found is not None:
                package, path = found
                problem = Problem(
                    problem.what,
                    problem.where,
                    f"{name} is in the source tree of {package.name} "
                    f"({relative(path, monorepo.root)}) but not in its wheel: add it to the "
                    "wheel (see the build backend's package list and excludes in "
                    f"{relative(package.pyproject, monorepo.root)}), then build again",
                )
                break
        told.append(problem)
    return told
