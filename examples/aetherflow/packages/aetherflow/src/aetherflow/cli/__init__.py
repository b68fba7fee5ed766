"""The ``aetherflow`` command: check and run flow files."""

import argparse
import sys
from collections.abc import Sequence

from aetherflow.core import __version__ as core_version
from aetherflow.core.errors import FlowError
from aetherflow.core.flow import StepSpec, load_flow
from aetherflow.scheduler import __version__ as scheduler_version
from aetherflow.scheduler.plan import plan
from aetherflow.scheduler.runner import RunError, run

__version__ = "0.2.0"

PROG = "aetherflow"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit status: 0 ok, 1 a step failed, 2 a bad flow."""
    args = _parser().parse_args(argv)
    try:
        flow = load_flow(args.file)
        steps = plan(flow)
    except FlowError as exc:
        return _fail(exc, 2)

    if args.command == "validate":
        print(f"{args.file}: ok, flow {flow.name!r} with {len(steps)} steps")
        return 0
    try:
        run(flow, on_output=_print_output)
    except RunError as exc:
        return _fail(exc, 1)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Check and run Aetherflow flow files.")
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__} (aetherflow-core {core_version}, "
        f"aetherflow-scheduler {scheduler_version})",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in [
        ("validate", "check FILE: its syntax, its steps and connectors, their order"),
        ("run", "run the steps of FILE in order and print their outputs"),
    ]:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("file", metavar="FILE", help="a flow file (YAML)")
    return parser


def _print_output(step: StepSpec, output: str) -> None:
    print(f"{step.name}: {output}", flush=True)


def _fail(error: Exception, status: int) -> int:
    print(f"{PROG}: error: {error}", file=sys.stderr)
    return status
