"""What the plugin costs a pytest session that has no release gates in it.

The plugin loads in every session of an environment where it is installed, so it must
stay inert there. This times `pytest --collect-only` of a generated suite (the tests spread
over modules: the plugin looks at each module collected) with the plugin on and with
`-p no:release`, interleaved, and prints the medians and their difference.

    python benchmarks/inert_overhead.py [--tests 5000] [--modules 500] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def collect_seconds(folder: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", *extra],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=5000)
    parser.add_argument("--modules", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        per_module = max(1, arguments.tests // arguments.modules)
        body = "".join(f"def test_{n}():\n    pass\n\n" for n in range(per_module))
        for module in range(arguments.modules):
            (folder / f"test_many_{module}.py").write_text(body, encoding="utf-8")
        collect_seconds(folder)  # warm the file system and bytecode caches
        on: list[float] = []
        off: list[float] = []
        for _ in range(arguments.runs):  # interleaved, so drift hits both sides alike
            on.append(collect_seconds(folder))
            off.append(collect_seconds(folder, "-p", "no:release"))
    median_on, median_off = statistics.median(on), statistics.median(off)
    tests = per_module * arguments.modules
    print(f"{tests} tests in {arguments.modules} modules, {arguments.runs} runs each, ")
    print("median of collect-only:")
    print(f"  plugin loaded    {median_on * 1000:8.1f} ms")
    print(f"  -p no:release    {median_off * 1000:8.1f} ms")
    print(f"  overhead         {(median_on - median_off) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
