"""The rehearsal: the release's very files uploaded to a local index, installed from it into a
fresh venv, and checked to be what was installed. No pytest here: the gate turns what these
functions find into failures and skips.

The install takes the internal packages from the local index only and everything else from
the user's normal index. pip's ``--index-url A --extra-index-url B`` cannot say that: pip
merges the two and takes the highest version, so a same-named project of a higher version on
the normal index wins (dependency confusion). uv can: ``--index LOCAL`` comes before the
default index, and uv's default ``--index-strategy first-index`` takes a package found on
an index from that index alone. The strategy is given on the command line all the same, so
that a ``UV_INDEX_STRATEGY`` of the user's cannot loosen it.

Without uv, pip cannot order indexes, so the fallback pins instead of resolving: every
internal package ``name==VERSION`` with ``--no-deps`` from the local index alone (``--isolated``:
no pip configuration or ``PIP_*`` variable adds another index), then the packages'
third-party requirements from the user's normal index, then ``pip check`` for the declared
requirements. It proves less than uv's resolution does (the internal requirements are
checked, not resolved), and says so in the installer's command.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name

from pytest_release.dists.venv import INSTALL_SECONDS, NotAttempted
from pytest_release.index.names import bypassing_proxy
from pytest_release.problems import Problem
from pytest_release.redact import scrub_secrets, split_credentials
from pytest_release.target.pyproject import relative

if TYPE_CHECKING:
    from pytest_release.dists.build import BuiltPackage
    from pytest_release.dists.venv import FreshVenv
    from pytest_release.process import CommandResult
    from pytest_release.target.monorepo import Monorepo, Package

UV_STRATEGY = ("--index-strategy", "first-index")
INDEX_VARIABLES = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX", "UV_DEFAULT_INDEX")

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


# -- upload -----------------------------------------------------------------------------------


def upload_in_order(
    index: Uploader, monorepo: Monorepo, built: Mapping[str, BuiltPackage]
) -> dict[str, CommandResult | NotAttempted]:
    """Upload each package's wheel and sdist in publish order; as a real publish would, the
    first failure stops the upload: the packages after it are not attempted (and
    ``NotAttempted.reason`` says why a package was not uploaded)."""
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


def required_internal(monorepo: Monorepo, package: Package) -> list[Package]:
    """The internal packages ``package`` requires outside any extra, on this interpreter."""
    keys = {each.key for each in monorepo.packages} - {package.key}
    return [
        monorepo.package(requirement.name)
        for requirement in package.dependencies
        if canonicalize_name(requirement.name) in keys
        and (requirement.marker is None or requirement.marker.evaluate({"extra": ""}))
    ]


def install_targets(monorepo: Monorepo) -> tuple[Package, ...]:
    """What to install by name: the top packages, and any package that none of them pulls in
    through its required dependencies (one reached only through an extra, say); every other
    package must come in as a dependency, as it will for a user."""
    reached = monorepo.reachable(
        monorepo.top_packages, lambda package: required_internal(monorepo, package)
    )
    return tuple(p for p in monorepo.packages if p in monorepo.top_packages or p not in reached)


def pin(package: Package) -> str:
    return f"{package.name}=={package.version_text}"


def user_indexes(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The options that keep the user's own indexes, below the local one.

    uv reads ``UV_DEFAULT_INDEX`` / ``UV_INDEX_URL`` and ``UV_EXTRA_INDEX_URL`` itself (an
    ``--extra-index-url`` ranks below every ``--index``); ``UV_INDEX`` it ignores once
    ``--index`` is given, so its entries follow the local index. pip's ``PIP_INDEX_URL`` and
    ``PIP_EXTRA_INDEX_URL`` are spelled as uv's when uv's own are not set.
    """
    options: list[str] = []
    extra = environ.get("UV_INDEX", "").split()
    if not extra and not environ.get("UV_EXTRA_INDEX_URL"):
        extra = environ.get("PIP_EXTRA_INDEX_URL", "").split()
    for url in extra:
        options += ["--index", url]
    default = environ.get("PIP_INDEX_URL", "").strip()
    if default and not environ.get("UV_DEFAULT_INDEX") and not environ.get("UV_INDEX_URL"):
        options += ["--default-index", default]
    return tuple(options)


def install_commands(
    venv: FreshVenv, simple_url: str, monorepo: Monorepo, environ: Mapping[str, str]
) -> list[list[str]]:
    """The commands that install the release into ``venv`` (see the module docstring).

    uv: the local index first, then the user's indexes; the internal packages as wheels only
    (a wheel built here from the uploaded sdist would not be the file uploaded).
    """
    python = str(venv.python_executable)
    if venv.uv:
        command = [venv.uv, "pip", "install", "--python", python, *UV_STRATEGY]
        command += ["--index", simple_url, *user_indexes(environ)]
        for package in monorepo.packages:
            command += ["--only-binary", package.name]
        return [command + [pin(package) for package in install_targets(monorepo)]]
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check"]
    internal = [*pip, "--isolated", "--no-deps", "--only-binary", ":all:"]
    internal += ["--index-url", simple_url, *map(pin, monorepo.packages)]
    keys = {package.key for package in monorepo.packages}
    third_party = dict.fromkeys(
        str(requirement)
        for package in monorepo.packages
        for requirement in package.dependencies
        if canonicalize_name(requirement.name) not in keys
    )
    check = [python, "-m", "pip", "check"]
    return [internal, [*pip, *third_party], check] if third_party else [internal, check]


# -- the install ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Installation:
    """The commands run to install the release; ``offline`` says which index of the user's
    could not be reached when that is why the install failed."""

    results: tuple[CommandResult, ...]
    offline: str | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def failure(self) -> str:
        """The failed command and the last lines of its output, every secret masked."""
        failed = next((result for result in self.results if not result.ok), None)
        if failed is None:
            return ""
        return scrub_secrets(f"{failed.describe()}\n{failed.tail()}", self.secrets)


def install_release(
    venv: FreshVenv, monorepo: Monorepo, simple_url: str, environ: Mapping[str, str]
) -> Installation | NotAttempted:
    """Install the release into ``venv`` from the index at ``simple_url``, command by
    command until one fails; ``NotAttempted`` when a package's version cannot be read."""
    unreadable = [package.name for package in monorepo.packages if package.version is None]
    if unreadable:
        return NotAttempted(
            f"not installed: the version of {', '.join(unreadable)} cannot be read "
            "(see the versions gate)"
        )
    secrets = _url_secrets(environ)
    variables = bypassing_proxy(venv.environment())  # the local index is on 127.0.0.1
    results: list[CommandResult] = []
    for command in install_commands(venv, simple_url, monorepo, environ):
        result = venv.run(command, cwd=venv.path, timeout=INSTALL_SECONDS, variables=variables)
        results.append(result)
        if not result.ok:
            return Installation(
                tuple(results), unreachable_index(result.output, simple_url), secrets
            )
    return Installation(tuple(results), None, secrets)


def _url_secrets(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The credentials written into the index URLs the install may show (a token alone
    stands where the user name goes)."""
    urls = " ".join(environ.get(name, "") for name in INDEX_VARIABLES).split()
    found = [split_credentials(url)[1] for url in urls]
    return tuple(pair[1] or pair[0] for pair in found if pair is not None)


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
