"""The release checklist three ways, side by side: by hand, as a well-written uv script, and
as the pytest-release dry run (cold and warm), on the bundled example and on generated
monorepos.

- **by hand**, as the seed checklist writes it: ``python -m venv``, ``pip install -e`` of
  every package, ``python -m build`` of every package one after the other, ``twine check``;
- **uv script**, the issue's well-written script: one ``uv venv`` and one ``uv pip install
  -e`` of every package, ``python -m build --installer uv`` of every package in parallel
  (one per core), ``twine check``, an upload to a local pypiserver, ``uv pip install`` of
  the top packages from it into a fresh venv, the target's smoke commands;
- **dry run cold**: ``pytest release_tests --release-version X`` in the target with a fresh
  ``XDG_CACHE_HOME`` (pytest-release's cache empty; uv's and pip's caches stay the user's,
  warm for every contender alike);
- **dry run warm**: the same again on the same copy with the same cache, nothing changed.

Every contender runs on a fresh copy of the target (committed, with the previous release
tagged and a bare ``origin``), interleaved with the others within each repetition (their
order rotates), after one untimed warm-up of each, so that the build backends are in uv's
and pip's caches for all. Each run is checked for its work: the same file names built for
every package, the same packages installed (editable, and from the index where the
contender installs a release). The dry run's per-gate times come from its ``--junitxml``.

    python benchmarks/compare.py [--repetitions 3] [--sizes example,12,30]
                                 [--only hand,script,dry-run]

The times depend on the machine and on what else runs on it: report them with both.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generate import LEFTOVERS, PREVIOUS_VERSION, VERSION, commit_release, generate, minor_range
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pytest_release.commands.init import SUITE_FOLDER, gate_modules
from pytest_release.target.monorepo import read_monorepo

CHECKOUT = Path(__file__).resolve().parents[1]
EXAMPLE = CHECKOUT / "examples" / "aetherflow"
CONTENDERS = ("hand", "script", "dry-run")
SERVER_SECONDS = 30
_GATE_MODULE = re.compile(r"test_\d+[a-z]?_(?P<gate>\w+)$")


@dataclass
class Work:
    """What a contender did, to check that each did the same: dist name -> built file
    names, and the internal packages installed editable and from an index."""

    built: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    editable: set[str] = field(default_factory=set)
    released: set[str] = field(default_factory=set)


@dataclass
class Run:
    seconds: float
    work: Work
    gates: dict[str, float] = field(default_factory=dict)  # the dry run's, from JUnit
    failed: list[str] = field(default_factory=list)  # the dry run's failed cases


@dataclass
class Target:
    """A committed monorepo to copy for each run: its root and bare remote."""

    label: str
    root: Path
    remote: Path
    packages: list[str]  # dist names, publish order
    tops: list[str]  # the packages no other one requires

    def fresh_copy(self, scratch: Path) -> Path:
        root, remote = scratch / self.root.name, scratch / self.remote.name
        shutil.copytree(self.root, root, symlinks=True)
        shutil.copytree(self.remote, remote, symlinks=True)
        run("git", "remote", "set-url", "origin", remote, cwd=root)
        return root


def run(
    *command: str | Path,
    cwd: Path,
    environment: Mapping[str, str] | None = None,
    accept: tuple[int, ...] = (0,),
) -> str:
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=dict(environment) if environment is not None else None,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode not in accept:
        raise SystemExit(
            f"failed ({completed.returncode}) in {cwd}: {shlex.join(map(str, command))}\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return completed.stdout


def cache_environment() -> dict[str, str]:
    """The environment every contender runs in: uv's and pip's caches pinned to the user's
    own (a fresh XDG_CACHE_HOME for the cold dry run must not empty them)."""
    uv_cache = run("uv", "cache", "dir", cwd=CHECKOUT).strip()
    pip_cache = run(sys.executable, "-m", "pip", "cache", "dir", cwd=CHECKOUT).strip()
    return {**os.environ, "UV_CACHE_DIR": uv_cache, "PIP_CACHE_DIR": pip_cache}


def example_target(scratch: Path) -> Target:
    """The bundled example as the plugin tests have it: 0.1.0 tagged, then 0.2.0, with the
    release suite's thin modules committed."""
    root = scratch / EXAMPLE.name
    shutil.copytree(EXAMPLE, root, ignore=LEFTOVERS)
    for name, text in gate_modules().items():
        (root / SUITE_FOLDER).mkdir(exist_ok=True)
        (root / SUITE_FOLDER / name).write_text(text, encoding="utf-8")
    remote = scratch / f"{EXAMPLE.name}-remote.git"

    def write_version(version: str) -> None:
        for path in [*root.rglob("pyproject.toml"), *root.rglob("__init__.py")]:
            text = path.read_text(encoding="utf-8")
            old, new = (
                (VERSION, version) if version == PREVIOUS_VERSION else (PREVIOUS_VERSION, version)
            )
            text = text.replace(f'"{old}"', f'"{new}"')
            text = text.replace(minor_range(old), minor_range(new))
            path.write_text(text, encoding="utf-8")

    commit_release(root, remote, write_version)
    return _target("example", root, remote)


def _target(label: str, root: Path, remote: Path) -> Target:
    monorepo = read_monorepo(root)
    packages = [package.name for package in monorepo.packages]
    return Target(label, root, remote, packages, [p.name for p in monorepo.top_packages])


def make_target(size: str, scratch: Path) -> Target:
    if size == "example":
        return example_target(scratch)
    root = generate(scratch, int(size))
    return _target(f"generated-{size}", root, root.with_name(f"{root.name}-remote.git"))


def _folders(root: Path, names: list[str]) -> list[Path]:
    by_name = {p.name: p.folder for p in read_monorepo(root).packages}
    return [by_name[name] for name in names]


def _built(dist: Path) -> dict[str, set[str]]:
    """The wheels and sdists below ``dist`` by dist name (files named otherwise left out)."""
    built: dict[str, set[str]] = defaultdict(set)
    for path in dist.rglob("*"):
        try:
            if path.name.endswith(".whl"):
                built[canonicalize_name(parse_wheel_filename(path.name)[0])].add(path.name)
            elif path.name.endswith(".tar.gz"):
                built[canonicalize_name(parse_sdist_filename(path.name)[0])].add(path.name)
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
    return built


def _installed(python: Path, packages: list[str]) -> tuple[set[str], set[str]]:
    """The internal packages installed in the venv of ``python``: editable, and at VERSION
    from an index."""
    listing = run("uv", "pip", "list", "--python", python, "--format", "json", cwd=python.parent)
    wanted = {canonicalize_name(name) for name in packages}
    editable: set[str] = set()
    released: set[str] = set()
    for entry in json.loads(listing):
        name = canonicalize_name(entry["name"])
        if name not in wanted:
            continue
        if entry.get("editable_project_location"):
            editable.add(name)
        elif entry["version"] == VERSION:
            released.add(name)
    return editable, released


def by_hand(target: Target, root: Path, scratch: Path, environment: dict[str, str]) -> Run:
    started = time.perf_counter()
    venv = scratch / "hand-venv"
    run(sys.executable, "-m", "venv", venv, cwd=scratch, environment=environment)
    folders = _folders(root, target.packages)
    for folder in folders:
        run(venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", "-e",
            folder, cwd=root, environment=environment)  # fmt: skip
    dist = scratch / "hand-dist"
    for folder in folders:
        run(
            sys.executable,
            "-m",
            "build",
            "--outdir",
            dist,
            folder,
            cwd=root,
            environment=environment,
        )
    run(
        sys.executable,
        "-m",
        "twine",
        "check",
        *sorted(dist.iterdir()),
        cwd=root,
        environment=environment,
    )
    seconds = time.perf_counter() - started
    editable, _ = _installed(venv / "bin" / "python", target.packages)
    return Run(seconds, Work(_built(dist), editable, set()))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def local_index(packages: Path, environment: dict[str, str]) -> Iterator[str]:
    """pypiserver on loopback, taking uploads without a password; its URL."""
    port = _free_port()
    packages.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "pypiserver", "run", "--host", "127.0.0.1", "--port", str(port),
         "-a", ".", "-P", ".", "--disable-fallback", str(packages)],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_SECONDS
        while True:  # the script waits for the server as a script would: poll until it answers
            try:
                with urllib.request.urlopen(f"{url}/simple/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("pypiserver did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait()


def uv_script(target: Target, root: Path, scratch: Path, environment: dict[str, str]) -> Run:
    started = time.perf_counter()
    venv = scratch / "script-venv"
    run(
        "uv", "venv", "--quiet", "--python", sys.executable, venv, cwd=root, environment=environment
    )
    folders = _folders(root, target.packages)
    editables = [part for folder in folders for part in ("-e", str(folder))]
    run("uv", "pip", "install", "--quiet", "--python", venv / "bin" / "python", *editables,
        cwd=root, environment=environment)  # fmt: skip
    dist = scratch / "script-dist"

    def build(folder: Path) -> None:
        run(sys.executable, "-m", "build", "--installer", "uv", "--outdir", dist, folder,
            cwd=root, environment=environment)  # fmt: skip

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(build, folders))
    files = sorted(dist.iterdir())
    run(sys.executable, "-m", "twine", "check", *files, cwd=root, environment=environment)
    with local_index(scratch / "script-index", environment) as url:
        upload = [
            "upload",
            "--non-interactive",
            "--repository-url",
            f"{url}/",
            "-u",
            "b",
            "-p",
            "b",
        ]
        run(sys.executable, "-m", "twine", *upload, *files, cwd=root, environment=environment)
        release = scratch / "script-release"
        run(
            "uv",
            "venv",
            "--quiet",
            "--python",
            sys.executable,
            release,
            cwd=root,
            environment=environment,
        )
        run("uv", "pip", "install", "--quiet", "--python", release / "bin" / "python",
            "--index-url", f"{url}/simple/", *(f"{name}=={VERSION}" for name in target.tops),
            cwd=root, environment=environment)  # fmt: skip
    smoke, python_smoke = _smoke(root)
    smoke_environment = {
        **environment,
        "PATH": f"{release / 'bin'}{os.pathsep}{environment['PATH']}",
    }
    for command in smoke:
        run(*shlex.split(command), cwd=root, environment=smoke_environment)
    for statement in python_smoke:
        run(release / "bin" / "python", "-c", statement, cwd=root, environment=environment)
    seconds = time.perf_counter() - started
    editable, _ = _installed(venv / "bin" / "python", target.packages)
    _, released = _installed(release / "bin" / "python", target.packages)
    return Run(seconds, Work(_built(dist), editable, released))


def _smoke(root: Path) -> tuple[list[str], list[str]]:
    table = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    settings = table.get("tool", {}).get("pytest-release", {})
    return list(settings.get("smoke", [])), list(settings.get("python-smoke", []))


def dry_run(root: Path, scratch: Path, environment: dict[str, str], label: str) -> Run:
    """``pytest release_tests`` in the target: its time, what it built and installed (read
    from its base temp folder), and its per-gate times (from JUnit)."""
    basetemp, junit = scratch / f"basetemp-{label}", scratch / f"junit-{label}.xml"
    started = time.perf_counter()
    run(sys.executable, "-m", "pytest", SUITE_FOLDER, f"--release-version={VERSION}",
        "--testpypi=local", "--pypi=local", "-p", "no:randomly", "-q",
        f"--basetemp={basetemp}", f"--junitxml={junit}", cwd=root, environment=environment,
        accept=(0, 1))  # fmt: skip
    seconds = time.perf_counter() - started
    cases = list(ElementTree.parse(junit).iter("testcase"))
    failed = [
        f"{case.get('classname', '').rpartition('.')[2]}::{case.get('name')}"
        for case in cases
        if case.find("failure") is not None or case.find("error") is not None
    ]
    cache = Path(environment["XDG_CACHE_HOME"])
    return Run(seconds, _dry_run_work(root, basetemp, cache), gate_seconds(cases), failed)


def _dry_run_work(root: Path, basetemp: Path, cache: Path) -> Work:
    """What the dry run built (in its base temp folder, or reused from its cache folder)
    and installed (in the venvs of its base temp folder)."""
    packages = [package.name for package in read_monorepo(root).packages]
    work = Work(_built(basetemp))
    for name, files in _built(cache).items():
        work.built[name] |= files
    for configuration in basetemp.rglob("pyvenv.cfg"):
        editable, released = _installed(configuration.parent / "bin" / "python", packages)
        work.editable |= editable
        work.released |= released
    return work


def gate_seconds(cases: list[ElementTree.Element]) -> dict[str, float]:
    """Each gate's time (setup, call and teardown of its cases), in checklist order."""
    seconds: dict[str, float] = defaultdict(float)
    for case in cases:
        module = case.get("classname", "").rpartition(".")[2]
        match = _GATE_MODULE.match(module)
        seconds[match["gate"] if match else module] += float(case.get("time", "0"))
    return dict(seconds)


Contender = Callable[[Target, Path, Path, dict[str, str]], list[tuple[str, Run]]]


def contender_runs(name: str) -> Contender:
    """A contender as a function of a fresh copy: its labelled runs (the dry run gives two:
    cold with an empty pytest-release cache, then warm)."""

    def hand(
        target: Target, root: Path, scratch: Path, environment: dict[str, str]
    ) -> list[tuple[str, Run]]:
        return [("hand", by_hand(target, root, scratch, environment))]

    def script(
        target: Target, root: Path, scratch: Path, environment: dict[str, str]
    ) -> list[tuple[str, Run]]:
        return [("script", uv_script(target, root, scratch, environment))]

    def dry(
        target: Target, root: Path, scratch: Path, environment: dict[str, str]
    ) -> list[tuple[str, Run]]:
        cached = {**environment, "XDG_CACHE_HOME": str(scratch / "xdg-cache")}
        cold = dry_run(root, scratch, cached, "cold")
        warm = dry_run(root, scratch, cached, "warm")
        return [("cold", cold), ("warm", warm)]

    return {"hand": hand, "script": script, "dry-run": dry}[name]


def timed(target: Target, contender: str, environment: dict[str, str]) -> list[tuple[str, Run]]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{contender}-") as folder:
        scratch = Path(folder)
        root = target.fresh_copy(scratch)
        return contender_runs(contender)(target, root, scratch, environment)


def check_work(target: Target, runs: Mapping[str, Run]) -> list[str]:
    """What differs between the contenders' work: built file names per package, editable
    installs, installs from the index (where the contender makes one)."""
    expected = {canonicalize_name(name) for name in target.packages}
    differences: list[str] = []
    reference = next(iter(runs.values())).work.built
    for label, each in runs.items():
        if each.failed:
            differences.append(f"{label} failed {len(each.failed)}: {', '.join(each.failed)}")
        if set(each.work.built) != expected:
            differences.append(
                f"{label} built for {sorted(each.work.built)}, not {sorted(expected)}"
            )
        for name in expected:
            if each.work.built.get(name) != reference.get(name):
                differences.append(
                    f"{label} built {sorted(each.work.built.get(name, ()))} for {name}"
                )
        if each.work.editable != expected:
            differences.append(f"{label} installed editable only {sorted(each.work.editable)}")
        if label != "hand" and each.work.released != expected:
            differences.append(
                f"{label} installed from its index only {sorted(each.work.released)}"
            )
    return differences


def report(target: Target, times: Mapping[str, list[Run]]) -> dict[str, float]:
    medians = {label: statistics.median(r.seconds for r in runs) for label, runs in times.items()}
    count = len(target.packages)
    repetitions = len(next(iter(times.values())))
    print(f"\n{target.label} ({count} packages), {repetitions} repetitions, medians:")
    titles = {
        "hand": "by hand",
        "script": "uv script",
        "cold": "dry run, cold",
        "warm": "dry run, warm",
    }
    for label, value in medians.items():
        runs = ", ".join(f"{r.seconds:.1f}" for r in times[label])  # an outlier shows
        print(
            f"  {titles[label]:<16} {value:7.1f} s   {value / count:6.2f} s per package   ({runs})"
        )
    ratios = (("cold", "script"), ("cold", "hand"), ("warm", "cold"), ("warm", "script"))
    for top, bottom in ratios:
        if top in medians and bottom in medians:
            print(f"  {top} / {bottom:<9} {medians[top] / medians[bottom]:7.2f}")
    for label in ("cold", "warm"):
        if label in times:
            gates: dict[str, list[float]] = defaultdict(list)
            for each in times[label]:
                for gate, seconds in each.gates.items():
                    gates[gate].append(seconds)
            row = "  ".join(
                f"{gate} {statistics.median(seconds):.1f}"
                for gate, seconds in gates.items()
                if max(seconds) >= 0.05  # the publish gates, skipped in a dry run, left out
            )
            print(f"  {label} per gate (s): {row}")
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--sizes", default="example,12,30", help="example and/or package counts")
    parser.add_argument("--only", default=",".join(CONTENDERS), help="hand, script, dry-run")
    arguments = parser.parse_args()
    contenders = [name.strip() for name in arguments.only.split(",")]
    unknown = set(contenders) - set(CONTENDERS)
    if unknown:
        parser.error(
            f"--only: unknown {', '.join(sorted(unknown))} (known: {', '.join(CONTENDERS)})"
        )
    environment = cache_environment()
    with tempfile.TemporaryDirectory(prefix="bench-targets-") as folder:
        targets = [make_target(size.strip(), Path(folder)) for size in arguments.sizes.split(",")]
        for contender in contenders:  # warm-up: uv's and pip's caches filled for every side
            timed(targets[0], contender, environment)
        times: dict[str, dict[str, list[Run]]] = {t.label: defaultdict(list) for t in targets}
        problems: list[str] = []
        for repetition in range(arguments.repetitions):
            order = (
                contenders[repetition % len(contenders) :]
                + contenders[: repetition % len(contenders)]
            )
            for target in targets:
                runs: dict[str, Run] = {}
                for contender in order:  # interleaved: drift hits every side alike
                    for label, each in timed(target, contender, environment):
                        times[target.label][label].append(each)
                        runs[label] = each
                        done = f"{target.label}, repetition {repetition + 1}: {label}"
                        print(f"  {done} {each.seconds:.1f} s", flush=True)
                problems += [f"{target.label}: {d}" for d in check_work(target, runs)]
        medians = {t.label: report(t, times[t.label]) for t in targets}
        # The cost per package from the smallest generated monorepo to the largest (the
        # example is another shape: it stands in only when one size is generated).
        generated = [t for t in targets if t.label != "example"]
        if len(generated) < 2:
            generated = targets
        if len(generated) > 1:
            print("\nper-package cost (s), " + " -> ".join(t.label for t in generated) + ":")
            for label in ("hand", "script", "cold", "warm"):
                if all(label in medians[t.label] for t in generated):
                    costs = [medians[t.label][label] / len(t.packages) for t in generated]
                    print(f"  {label:<7}" + " -> ".join(f"{cost:.2f}" for cost in costs))
    print(
        "\nwork checked: "
        + ("every contender built and installed the same" if not problems else "")
    )
    for problem in problems:
        print(f"  DIFFERS {problem}")


if __name__ == "__main__":
    main()
