"""Build every package's sdist and wheel with pypa/build, once, from a scratch copy.

How a package is built (``python -m build``, build isolation kept, each command in its own
process group with a timeout):

1. its files are copied into ``OUT/<key>/source/``, mirroring the repo layout: the package
   folder and those of the repo root's top-level files that the package's own top-level
   files name, and the licence files (a ``../../README.md`` still resolves; see
   ``root_files_read``). In a git work tree the copy holds what ``git ls-files --cached
   --others --exclude-standard`` lists, i.e. the tree a fresh clone with the uncommitted
   edits would have: no stale ``build/``, ``*.egg-info`` or ``__pycache__``. Backends that
   write into their source (setuptools writes ``*.egg-info`` and ``build/``) write into the
   copy; the target is never touched;
2. ``python -m build`` of the copy into ``OUT/<key>/dist/``: the sdist, then the wheel built
   from the sdist, as PyPA recommends and installers do. These are the release files
   (``BuiltPackage.files``): the wheel that ships is built from the sdist that ships, so
   the gates checking the wheel check what the sdist builds too.

With a ``BuildCache``, the files of a package whose copy, Python, told version and
SOURCE_DATE_EPOCH (the last commit that changed the copy's paths) an earlier build shared
are reused (``BuiltPackage.reused``), their sha256 checked, instead of built again (see
``build_cache``).

Packages build in parallel, as many at once as there are cores. pypa/build installs the
build requirements with uv when uv is installed (``--installer uv``, several times faster),
else with pip; pip's index settings from the environment are passed on to uv.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
import sysconfig
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pytest_release.dists.build_cache import BuildCache, source_digest
from pytest_release.process import (
    Access,
    Background,
    child_environment,
    log_tail,
    quoted,
    run_command,
    start_background,
)
from pytest_release.target import git
from pytest_release.target.pyproject import relative

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from pytest_release.target.monorepo import Monorepo, Package

BUILD_SECONDS = 600.0
TWINE_SECONDS = 120.0
TAIL_LINES = 40
CACHE_FORMAT = "build-1"  # part of every build cache key: a new format never reads an old entry
Installer = Literal["uv", "pip"]
# pip's settings from the environment and the uv variables that say the same.
_PIP_TO_UV = (
    ("PIP_INDEX_URL", "UV_INDEX_URL", " "),
    ("PIP_EXTRA_INDEX_URL", "UV_EXTRA_INDEX_URL", " "),
    ("PIP_FIND_LINKS", "UV_FIND_LINKS", ","),
    ("PIP_CERT", "SSL_CERT_FILE", " "),
)
# Without git, what the copy leaves out: anywhere, and (the second) in the package folder.
_LITTER = shutil.ignore_patterns(
    ".git", ".hg", ".svn", "__pycache__", "*.py[co]", "*.egg-info", ".venv", ".tox", ".nox"
)
_TOP_LITTER = frozenset({"build", "dist"})
_LICENCE = re.compile(r"(?i)^(licen[cs]e|copying|notice|authors)")
_NAMING_FILE_BYTES = 1_000_000  # a package's config and build scripts, not its data
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FRAME = re.compile(r'^\s+File "([^"]+)", line \d+')


@dataclass(frozen=True)
class BuiltPackage:
    """What the build of one package produced, or why it failed.

    ``sdist`` and ``wheel`` are the one ``.tar.gz`` and the one ``.whl`` in the output folder
    (``None`` when there is not exactly one; the wheel is built from the sdist), ``files``
    everything in that folder. ``error`` is ``None`` on success, else what failed with the
    last lines of the backend's output. ``source`` is the package folder in the copy the
    sdist was built from, ``reused`` whether the files came from the build cache.
    """

    package_name: str
    sdist: Path | None
    wheel: Path | None
    files: tuple[Path, ...]
    error: str | None
    source: Path | None = None
    reused: bool = False
    twine_checked: bool = False
    twine_output: str | None = None  # of ``twine_check`` on the sdist and wheel, when checked


def start_builds(
    monorepo: Monorepo,
    out_dir: Path,
    *,
    timeout: float = BUILD_SECONDS,
    jobs: int | None = None,
    cache: BuildCache | None = None,
    progress: Callable[[str], None] | None = None,
) -> Builds:
    """Start building every package into its own folder of ``out_dir``, in worker threads,
    and return at once. ``timeout`` bounds each ``python -m build`` command, ``jobs`` the
    packages built at once (default: the cores); ``cache``, when given, is asked first and
    keeps what was built; ``progress`` is told a line as each package starts and ends. A
    package that fails to build has ``error`` set; a build's failure never raises."""
    out_dir = Path(out_dir).resolve()
    listing = source_listing(monorepo.root)
    installer = build_installer()
    runner = _Runner(installer, build_environment(installer))
    workers = jobs or max(1, min(len(monorepo.packages), os.cpu_count() or 1))
    tell = progress or (lambda line: None)
    # Python's build configuration read here first: that first read is not thread-safe,
    # and the workers read it (the build's failure output is told from the stdlib's paths).
    sysconfig.get_config_vars()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="build")
    futures = [
        pool.submit(
            _build_package, runner, monorepo.root, package, listing, out_dir, timeout, cache, tell
        )
        for package in monorepo.packages
    ]
    # Queued last, so it starts once every build has: no worker waits on a build not begun.
    checked = pool.submit(lambda: twine_checked([future.result() for future in futures]))
    return Builds(pool, futures, checked, runner)


class Builds:
    """The builds ``start_builds`` started: ``result`` waits for them, ``stop`` ends them."""

    def __init__(
        self,
        pool: ThreadPoolExecutor,
        futures: Sequence[Future[BuiltPackage]],
        checked: Future[list[BuiltPackage]],
        runner: _Runner,
    ) -> None:
        self._pool = pool
        self._futures = futures
        self._checked = checked
        self._runner = runner

    def result(self) -> dict[str, BuiltPackage]:
        """Every package's build, once all have ended and twine has checked their files;
        keyed by dist name, in publish order. An interrupt (Ctrl-C) while waiting stops
        every build instead of waiting for them."""
        try:
            built = self._checked.result()
        except BaseException:
            self.stop()
            raise
        self._pool.shutdown()
        return {each.package_name: each for each in built}

    def stop(self) -> None:
        """Stop the builds still running and those not started, and wait for their threads."""
        for future in self._futures:
            future.cancel()
        self._checked.cancel()
        self._runner.stop_all()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _build_time(root: Path, copy: Path, folder: Path) -> dict[str, str]:
    """SOURCE_DATE_EPOCH at the time of the last commit that changed what the build ``copy``
    holds (its top-level files and the package ``folder`` in it), unless set: backends
    that honour it (hatchling, flit, setuptools' wheels) then build the same bytes of that
    commit and of every later one that left the package alone, so that a resumed publish
    finds on the index the files it would build, and the build cache keeps serving a
    package that a commit elsewhere did not change."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return {}
    files = [path.name for path in copy.iterdir() if not path.is_dir()]
    paths = [*files, folder.relative_to(copy).as_posix()]
    try:
        return {"SOURCE_DATE_EPOCH": str(git.commit_time(root, paths=paths))}
    except git.GitError:
        return {}


def build_installer() -> Installer:
    """``uv`` when pypa/build can find it (the ``uv`` module or ``uv`` on PATH), else ``pip``."""
    if find_spec("uv") is not None or shutil.which(os.environ.get("UV") or "uv"):
        return "uv"
    return "pip"


def build_environment(installer: Installer) -> dict[str, str]:
    """The environment of the build commands: ``child_environment``'s, unbuffered and
    colourless so the log reads in order; for uv, pip's index settings spelled as uv's."""
    # The frontend installs the build requirements: it may use the user's install indexes.
    environment = child_environment({"PYTHONUNBUFFERED": "1"}, colour=False, access=Access.INSTALL)
    if installer == "uv":
        for pip_name, uv_name, separator in _PIP_TO_UV:
            if environment.get(pip_name) and uv_name not in environment:
                environment[uv_name] = separator.join(environment[pip_name].split())
    return environment


def source_listing(root: Path) -> list[str] | None:
    """The files below ``root`` a fresh clone with the uncommitted edits would have (tracked,
    plus untracked ones git does not ignore), relative to ``root``; ``None`` outside git."""
    try:
        return git.listed_files(root)
    except git.GitError:
        return None


def copy_sources(root: Path, package: Package, listing: Sequence[str] | None, dest: Path) -> Path:
    """Copy what a build of ``package`` reads into ``dest`` (see the module docstring);
    the path of the package folder in the copy."""
    folder = relative(package.folder, root)
    if Path(folder).is_absolute():  # a package folder outside the repo root: copy it alone
        folder, listing = package.folder.name, None
        root = package.folder.parent
    if listing is None:
        _copy_tree(package.folder, dest / folder)
        listing = [path.name for path in root.iterdir() if path.is_file()]
    prefix = "" if folder == "." else f"{folder}/"
    read = None if folder == "." else root_files_read(package.folder, listing)
    for name in listing:
        if "/" in name and not name.startswith(prefix):
            continue
        if "/" not in name and read is not None and name not in read:
            continue
        source, target = root / name, dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink() or source.is_file():
            shutil.copy2(source, target, follow_symlinks=False)
        elif source.is_dir():  # a submodule
            _copy_tree(source, target)
    return dest / folder


def root_files_read(folder: Path, listing: Sequence[str]) -> set[str]:
    """The repo root's top-level files of ``listing`` that a build of the member package
    in ``folder`` may read: those its own top-level files name (``readme =
    "../../README.md"``, a ``force-include``, a ``setup.py`` opening ``../VERSION``) and the
    licence files. The others (a CHANGELOG, a lock file, the workspace's pyproject.toml)
    stay out of the copy, so that editing them changes neither the build nor its cache key."""
    names = {name for name in listing if "/" not in name}
    said = ""
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.is_file() and path.stat().st_size <= _NAMING_FILE_BYTES:
            said += path.read_text(encoding="utf-8", errors="replace")
    return {name for name in names if name in said or _LICENCE.match(name)}


def _copy_tree(source: Path, target: Path) -> None:
    def ignored(folder: str, names: list[str]) -> set[str]:
        top = _TOP_LITTER.intersection(names) if Path(folder) == source else set()
        return set(_LITTER(folder, names)) | top

    shutil.copytree(source, target, symlinks=True, ignore=ignored, dirs_exist_ok=True)


def cache_key(copy: Path, package: Package, environment: Mapping[str, str]) -> str:
    """The build cache's key of ``package`` built from ``copy`` (the whole copy, before the
    build writes into it): its files (the ``[build-system]`` backend and requirements
    among them), the Python and platform, the version (and the variables telling it to a
    tool that computes it), and the SOURCE_DATE_EPOCH of the build's ``environment``."""
    parts = [CACHE_FORMAT, sys.version, sysconfig.get_platform(), package.build_backend]
    parts += [package.version_text or "", json.dumps(sorted(package.version_override.items()))]
    parts.append(environment.get("SOURCE_DATE_EPOCH", ""))
    return source_digest(copy, parts)


def _build_package(
    runner: _Runner,
    root: Path,
    package: Package,
    listing: Sequence[str] | None,
    out_dir: Path,
    timeout: float,
    cache: BuildCache | None,
    tell: Callable[[str], None],
) -> BuiltPackage:
    work = out_dir / package.key
    dist, source_root = work / "dist", work / "source"
    shown = f"{package.name} {package.version_text or ''}".rstrip()
    error: str | None = None
    source = None
    reused = False
    started = time.monotonic()
    try:
        shutil.rmtree(work, ignore_errors=True)
        dist.mkdir(parents=True)
        source = copy_sources(root, package, listing, source_root)
        overrides = {**package.version_override, **_build_time(root, source_root, source)}
        environment = {**runner.environment, **overrides}
        # Before the build writes into the copy: the key is what the backend reads.
        key = None if cache is None else cache_key(source_root, package, environment)
        reused = cache is not None and key is not None and cache.restore(key, dist) is not None
        if not reused:
            tell(f"building {shown}")
            error = runner.build(source, dist, work / "build.log", overrides, timeout=timeout)
            if error is None and cache is not None and key is not None:
                cache.keep(key, sorted(path for path in dist.iterdir() if path.is_file()))
    except OSError as failure:
        error = f"the build could not run: {failure}"
    if error is not None:
        error = error.replace(str(source_root), str(root))
    seconds = time.monotonic() - started
    how = "reused from the build cache" if reused else "failed" if error else "built"
    tell(f"{how} {shown} ({seconds:.1f} s)")
    files = (
        tuple(sorted(path for path in dist.iterdir() if path.is_file())) if dist.is_dir() else ()
    )
    return BuiltPackage(
        package.name,
        _only(dist, ".tar.gz"),
        _only(dist, ".whl"),
        files,
        error,
        source=source,
        reused=reused,
    )


def twine_checked(built: Sequence[BuiltPackage]) -> list[BuiltPackage]:
    """``built``, each package that built with its sdist and wheel checked by ``twine check
    --strict``: all of them in one command (one start of twine, not one per package), and
    only when that fails, each package's in a command of its own, for its own verdict."""
    files = {
        each.package_name: [path for path in (each.sdist, each.wheel) if path is not None]
        for each in built
        if each.error is None and (each.sdist or each.wheel)
    }
    if not files:
        return list(built)
    together = twine_check([path for paths in files.values() for path in paths])
    outputs = (
        dict.fromkeys(files)
        if together is None
        else {name: twine_check(paths) for name, paths in files.items()}
    )
    return [
        replace(each, twine_checked=True, twine_output=outputs[each.package_name])
        if each.package_name in files
        else each
        for each in built
    ]


def _only(folder: Path, suffix: str) -> Path | None:
    found = list(folder.glob(f"*{suffix}")) if folder.is_dir() else []
    return found[0] if len(found) == 1 else None


class _Runner:
    """Runs ``python -m build`` commands, each in its own process group with a timeout, so
    a hung backend and everything it started can be stopped; ``stop_all`` stops them all."""

    def __init__(self, installer: Installer, environment: dict[str, str]) -> None:
        self.installer = installer
        self.environment = environment
        self._lock = threading.Lock()
        self._running: set[Background] = set()
        self._stopped = False

    def build(
        self,
        source: Path,
        outdir: Path,
        log: Path,
        overrides: Mapping[str, str],
        *,
        timeout: float,
    ) -> str | None:
        """``python -m build`` of ``source`` (the sdist, then the wheel from it) into
        ``outdir``, the output into ``log``, with the variables ``overrides`` added (the
        release version for a tool that computes it); ``None`` on success, else what went
        wrong."""
        shown = "python -m build"
        command = [sys.executable, "-m", "build", "--installer", self.installer]
        command += ["--outdir", str(outdir), str(source)]
        started = time.monotonic()
        log.write_text(f"$ {shlex.join(command)}\n", encoding="utf-8")
        with self._lock:
            if self._stopped:
                return f"`{shown}` was not run: the session was interrupted"
            environment = {**self.environment, **overrides}
            child = start_background(command, log=log, cwd=log.parent, environment=environment)
            self._running.add(child)
        try:
            code = child.wait(max(timeout, 0.0))
            if code is None:
                child.kill()
                child.wait()
        finally:
            with self._lock:
                self._running.discard(child)
        if code == 0:
            return None
        seconds = time.monotonic() - started
        how = (
            f"did not finish within {timeout:.0f} s and was stopped"
            if code is None
            else f"failed (exit {code}) after {seconds:.1f} s"
        )
        output = _readable_tail(log)
        return f"`{shown}` {how}; the last lines of its output:\n{output}\nfull log: {log}"

    def stop_all(self) -> None:
        with self._lock:
            self._stopped = True
            for child in self._running:
                child.kill()


def _readable_tail(log: Path) -> str:
    """The last ``TAIL_LINES`` of ``readable_output`` of ``log``, quoted."""
    text, left_out = log_tail(log)
    return quoted("\n".join(readable_output(text)), last=TAIL_LINES, left_out=left_out)


def readable_output(text: str) -> list[str]:
    """The lines of a build's output worth reading: without colour codes, blank lines, our
    command echo, pypa/build's generic debugging tip and its own traceback (it repeats its
    error on the ``ERROR`` line); a backend's or the project's traceback is kept."""
    kept: list[str] = []
    block: list[str] = []
    for line in _ANSI.sub("", text).splitlines():
        if block:
            block.append(line)
            if line[:1].strip():  # the exception line ends the traceback
                kept += [] if _internal(block) else block
                block = []
        elif line == "Traceback (most recent call last):":
            block = [line]
        elif line.strip() and not line.startswith(("TIP ", "$ ")):
            kept.append(line)
    return kept + block


def _internal(traceback: Sequence[str]) -> bool:
    """Whether every frame of ``traceback`` is in pypa/build or the standard library."""
    frames = [match.group(1) for line in traceback if (match := _FRAME.match(line))]
    return bool(frames) and all(frame.startswith(_internal_folders()) for frame in frames)


@cache
def _internal_folders() -> tuple[str, ...]:
    """The standard library's folder and pypa/build's, each ending in a separator."""
    folders = [Path(sysconfig.get_paths()["stdlib"])]
    spec = find_spec("build")
    if spec is not None and spec.origin:
        folders.append(Path(spec.origin).parent)
    return tuple(f"{folder}{os.sep}" for folder in folders)


def twine_check(files: Sequence[Path], timeout: float = TWINE_SECONDS) -> str | None:
    """``twine check --strict`` on ``files``: ``None`` when it passes, else its output."""
    result = run_command(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)],
        timeout=timeout,
        environment=child_environment({"COLUMNS": "200"}, colour=False),
    )
    if result.ok:
        return None
    if result.timed_out:
        return f"`twine check --strict` did not finish within {timeout:.0f} s"
    text = _ANSI.sub("", result.output)
    output = "\n".join(line.rstrip() for line in text.splitlines() if line.strip())
    return output or f"`twine check --strict` exited {result.returncode} without a message"
