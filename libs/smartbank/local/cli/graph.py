"""`smartbank graph [--format mermaid|dot] [--files N]`: who calls whom, from recorded traces."""

from __future__ import annotations

import argparse
import sys

from smartbank.local import callgraph
from smartbank.local.cli.trace import trace_dir


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="draw the service call graph from recorded traces",
        description="Draw the calls between services seen in the recorded traces, with counts.",
    )
    parser.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    parser.add_argument(
        "--files", type=int, default=1, metavar="N", help="read the newest N daily span files"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    counted = callgraph.edges(callgraph.recorded_spans(trace_dir(), args.files))
    if not counted:
        print(f"smartbank graph: no calls recorded in {trace_dir()}", file=sys.stderr)
        return 1
    print(callgraph.mermaid(counted) if args.format == "mermaid" else callgraph.dot(counted))
    return 0
