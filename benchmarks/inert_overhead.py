"""What the plugin costs a pytest session that has no release gates in it.

The plugin loads in every session of an environment where it is installed, so it must
stay inert there. This times `pytest --collect-only` of a generated suite with the
plugin on and with `-p no:release`, and prints the medians and their difference.

    python benchmarks/inert_overhead.py [--tests 5000] [--runs 7]
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
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        body = "".join(f"def test_{n}():\n    pass\n\n" for n in range(arguments.tests))
        (folder / "test_many.py").write_text(body, encoding="utf-8")
        collect_seconds(folder)  # warm the file system and bytecode caches
        on = [collect_seconds(folder) for _ in range(arguments.runs)]
        off = [collect_seconds(folder, "-p", "no:release") for _ in range(arguments.runs)]
    median_on, median_off = statistics.median(on), statistics.median(off)
    print(f"{arguments.tests} tests, {arguments.runs} runs each, median of collect-only:")
    print(f"  plugin loaded    {median_on * 1000:8.1f} ms")
    print(f"  -p no:release    {median_off * 1000:8.1f} ms")
    print(f"  overhead         {(median_on - median_off) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
