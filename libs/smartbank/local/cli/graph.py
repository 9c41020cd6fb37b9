"""`smartbank graph [--format mermaid|dot] [--files N]`: who calls whom, from recorded traces."""

from __future__ import annotations

import argparse
import sys

from smartbank.local import callgraph, jaeger_traces
from smartbank.local.cli.trace import trace_source
from smartbank.local.launcher.layout import Layout, default_data_dir


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
    parser.add_argument(
        "--traces",
        type=int,
        default=200,
        metavar="N",
        help="on an `--infra real` stack: read the newest N traces of each service from Jaeger",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    layout = Layout(default_data_dir())
    source = trace_source(layout)
    try:
        spans = (
            list(jaeger_traces.recent_spans(source.jaeger_query, args.traces))
            if source.jaeger_query
            else list(callgraph.recorded_spans(layout.traces, args.files))
        )
    except OSError as error:
        print(f"smartbank graph: cannot read {source.where}: {error}", file=sys.stderr)
        return 1
    counted = callgraph.edges(spans)
    if not counted:
        print(f"smartbank graph: no calls recorded in {source.where}", file=sys.stderr)
        return 1
    print(callgraph.mermaid(counted) if args.format == "mermaid" else callgraph.dot(counted))
    return 0
