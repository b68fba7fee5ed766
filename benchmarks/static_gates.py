"""The static gates (preflight, versions, api, changelog) at scale: the wall time of
``pytest release_tests -m "preflight or versions or api or changelog"`` on the example and
on generated monorepos, interleaved, with the per-gate times and the cost per package.

Issue #18's budget: 1.5 s on the example, 3 s on 30 packages, a flat cost per package.
The first run of each target (an empty pytest-release cache) is left out of the medians.

    python benchmarks/static_gates.py [--repetitions 7] [--sizes example,12,30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

from compare import cache_environment, gate_seconds, make_target, run

from pytest_release.commands.init import SUITE_FOLDER

STATIC_GATES = "preflight or versions or api or changelog"


def static_run(root: Path, junit: Path, environment: dict[str, str]) -> float:
    started = time.perf_counter()
    run(sys.executable, "-m", "pytest", SUITE_FOLDER, "-m", STATIC_GATES, "-p", "no:randomly",
        "-q", f"--junitxml={junit}", cwd=root, environment=environment)  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--sizes", default="example,12,30", help="example and/or package counts")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-static-") as folder:
        scratch = Path(folder)
        environment = {**cache_environment(), "XDG_CACHE_HOME": str(scratch / "xdg-cache")}
        targets = [
            make_target(size.strip(), scratch / "targets") for size in arguments.sizes.split(",")
        ]
        copies = {}
        for target in targets:
            copy = scratch / "copies" / target.label
            copy.mkdir(parents=True)
            copies[target.label] = target.fresh_copy(copy)
            static_run(copies[target.label], scratch / "junit.xml", environment)  # cache filled
        seconds: dict[str, list[float]] = defaultdict(list)
        gates: dict[str, dict[str, list[float]]] = {t.label: defaultdict(list) for t in targets}
        for _ in range(arguments.repetitions):
            for target in targets:  # interleaved: drift hits every size alike
                junit = scratch / f"junit-{target.label}.xml"
                seconds[target.label].append(static_run(copies[target.label], junit, environment))
                cases = list(ElementTree.parse(junit).iter("testcase"))
                for gate, spent in gate_seconds(cases).items():
                    gates[target.label][gate].append(spent)
    print(f"static gates, {arguments.repetitions} runs each, medians:")
    print("  (session: the wall time, pytest's start included; gates: their cases' JUnit time)")
    previous: tuple[int, float] | None = None
    for target in targets:
        median = statistics.median(seconds[target.label])
        count = len(target.packages)
        medians = {gate: statistics.median(spent) for gate, spent in gates[target.label].items()}
        total = sum(medians.values())
        # The cost of one more package: the gates' time between one generated size and the
        # next, divided by the packages added (flat when no step grows with their square).
        extra = ""
        if previous is not None and target.label != "example" and count > previous[0]:
            marginal = (total - previous[1]) / (count - previous[0])
            extra = f"  {marginal * 1000:5.1f} ms per added package"
        if target.label != "example":
            previous = (count, total)
        times = f"session {median:5.2f} s  gates {total:5.2f} s{extra}"
        print(f"  {target.label:<14} {count:3} packages  {times}")
        print("    per gate (s): " + "  ".join(f"{g} {m:.2f}" for g, m in medians.items()))


if __name__ == "__main__":
    main()
