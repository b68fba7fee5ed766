"""The ``aetherflow-scheduler`` command."""

import argparse
import sys
from collections.abc import Sequence

from aetherflow.core.errors import FlowError
from aetherflow.core.flow import load_flow
from aetherflow.scheduler import __version__
from aetherflow.scheduler.plan import plan


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="aetherflow-scheduler",
        description="Work out the order in which the steps of an Aetherflow flow run.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    plan_parser = commands.add_parser("plan", help="print the steps of FILE in execution order")
    plan_parser.add_argument("file", metavar="FILE", help="a flow file (YAML)")
    args = parser.parse_args(argv)

    try:
        steps = plan(load_flow(args.file))
    except FlowError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    for number, step in enumerate(steps, start=1):
        after = f", after {', '.join(step.needs)}" if step.needs else ""
        print(f"{number}. {step.name} ({step.uses}{after})")
    return 0
