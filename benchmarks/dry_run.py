"""The dry run of gates 0-6 against the same checklist done by hand, side by side.

By hand, as the seed checklist writes it: `python -m venv`, `pip install -e` of every
package, `python -m build` of every package one after the other, `twine check`. The gates
do all of that and more (git, versions, changelog, the example's own tests, CLI smoke,
wheel contents). Both run on a fresh copy of the example each repetition, after one
warm-up run each so that pip's, uv's and build's caches are equally warm.

    python benchmarks/dry_run.py [--repetitions 3] [--example examples/aetherflow]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
DRY_RUN_GATES = "preflight or versions or changelog or tests or editable or cli or build"


def run(*command: str | Path, cwd: Path) -> None:
    subprocess.run([str(part) for part in command], cwd=cwd, check=True, capture_output=True)


def fresh_copy(example: Path, scratch: Path) -> Path:
    """The example committed on main and pushed to a bare remote, as a maintainer has it."""
    root = scratch / example.name
    shutil.copytree(example, root, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    run("git", "init", "-q", "--bare", "-b", "main", scratch / "remote.git", cwd=scratch)
    run("git", "init", "-q", "-b", "main", cwd=root)
    run("git", "add", "-A", cwd=root)
    run(
        "git",
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@example.invalid",
        "commit",
        "-q",
        "-m",
        "release",
        cwd=root,
    )
    run("git", "remote", "add", "origin", scratch / "remote.git", cwd=root)
    run("git", "push", "-q", "--set-upstream", "origin", "main", cwd=root)
    return root


def packages_in_publish_order(root: Path) -> list[Path]:
    from pytest_release.target.monorepo import read_monorepo

    return [package.folder for package in read_monorepo(root).packages]


def by_hand(root: Path, scratch: Path) -> None:
    venv = scratch / "manual-venv"
    run(sys.executable, "-m", "venv", venv, cwd=scratch)
    pip = venv / "bin" / "pip"
    for folder in packages_in_publish_order(root):
        run(pip, "install", "--quiet", "--disable-pip-version-check", "-e", folder, cwd=root)
    dist = scratch / "manual-dist"
    for folder in packages_in_publish_order(root):
        run(sys.executable, "-m", "build", "--outdir", dist, folder, cwd=root)
    run(sys.executable, "-m", "twine", "check", *sorted(dist.iterdir()), cwd=root)


def with_the_gates(root: Path, scratch: Path) -> None:
    run(
        sys.executable,
        "-m",
        "pytest",
        CHECKOUT / "release_tests",
        f"--monorepo={root}",
        "--testpypi=local",
        "--pypi=local",
        "-m",
        DRY_RUN_GATES,
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-q",
        cwd=scratch,
    )


def seconds(job: Callable[[Path, Path], None], example: Path) -> float:
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        root = fresh_copy(example, scratch)
        started = time.perf_counter()
        job(root, scratch)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--example", type=Path, default=CHECKOUT / "examples" / "aetherflow")
    arguments = parser.parse_args()
    example = arguments.example.resolve()
    for job in (by_hand, with_the_gates):  # warm-up: caches filled for both sides
        seconds(job, example)
    manual: list[float] = []
    gates: list[float] = []
    for _ in range(arguments.repetitions):  # interleaved, so drift hits both sides alike
        manual.append(seconds(by_hand, example))
        gates.append(seconds(with_the_gates, example))
    median_manual, median_gates = statistics.median(manual), statistics.median(gates)
    rows = (
        ("by hand: venv, pip install -e, build one by one, twine check", median_manual),
        ("dry run of gates 0-6", median_gates),
    )
    print(f"{example.name}, {arguments.repetitions} repetitions, medians:")
    for label, value in rows:
        print(f"  {label:<62} {value:6.1f} s")
    print(f"  {'ratio gates / by hand':<62} {median_gates / median_manual:6.2f}")


if __name__ == "__main__":
    main()
