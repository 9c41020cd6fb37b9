"""`smartbank trace TRACE_ID [--json] [--wait SECONDS]`: one trace, from where the stack keeps
them: the trace sink's files, or Jaeger's query API when the running stack is `--infra real`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from smartbank.local import jaeger_traces
from smartbank.local.launcher import infra
from smartbank.local.launcher.layout import Layout, default_data_dir
from smartbank.local.traces import (
    SpanRecord,
    build_tree,
    load_trace,
    normalise_trace_id,
    render_tree,
    walk,
)

POLL_SECONDS = 0.25
# Exporters send a batch about once a second: a trace is taken as complete once no span has
# arrived for QUIET_SECONDS, or its last span ended EXPORT_LAG_SECONDS ago.
QUIET_SECONDS = 1.5
EXPORT_LAG_SECONDS = 2.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "trace",
        help="show one trace as a tree of spans",
        description="Show one trace as a tree of spans, as collected by the local trace sink "
        "(or by Jaeger, when the running stack is `--infra real`).",
    )
    parser.add_argument("trace_id", metavar="TRACE_ID", help="32 hex characters, dashes allowed")
    parser.add_argument("--json", action="store_true", help="print the spans as a JSON list")
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="keep looking this long for spans still being exported",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        trace_id = normalise_trace_id(args.trace_id)
    except ValueError as error:
        print(f"smartbank trace: {error}", file=sys.stderr)
        return 1
    source = trace_source()
    try:
        spans = wait_for_trace(source.load, trace_id, args.wait)
    except OSError as error:
        print(f"smartbank trace: cannot read {source.where}: {error}", file=sys.stderr)
        return 1
    if not spans:
        print(f"smartbank trace: no spans for trace {trace_id} in {source.where}", file=sys.stderr)
        return 1
    roots = build_tree(spans)
    if args.json:
        print(json.dumps([node.span.summary() for _, node in walk(roots)], indent=2))
    else:
        print(render_tree(roots))
    return 0


@dataclass(frozen=True)
class TraceSource:
    """Where the stack's spans are read from, and how to load one trace's."""

    where: str
    load: Callable[[str], list[SpanRecord]]
    jaeger_query: str = ""


def trace_source(layout: Layout | None = None) -> TraceSource:
    """Jaeger's API while the stack on the data dir runs `--infra real`, else the sink's files
    (<SMARTBANK_HOME or ./.smartbank>/traces)."""
    layout = layout or Layout(default_data_dir())
    recorded = infra.recorded(layout)
    if recorded.name == infra.REAL:
        url = recorded.jaeger_query
        return TraceSource(f"Jaeger ({url})", lambda t: jaeger_traces.load_trace(url, t), url)
    return TraceSource(str(layout.traces), lambda t: load_trace(layout.traces, t))


def wait_for_trace(
    load: Callable[[str], list[SpanRecord]], trace_id: str, wait_seconds: float
) -> list[SpanRecord]:
    """The trace's spans, polling up to `wait_seconds` until they have stopped arriving."""
    deadline = time.monotonic() + wait_seconds
    spans = load(trace_id)
    changed_at = time.monotonic()
    while time.monotonic() < deadline and not _complete(spans, changed_at):
        time.sleep(POLL_SECONDS)
        latest = load(trace_id)
        if len(latest) != len(spans):
            spans, changed_at = latest, time.monotonic()
    return spans


def _complete(spans: list[SpanRecord], changed_at: float) -> bool:
    if not spans:
        return False
    quiet = time.monotonic() - changed_at >= QUIET_SECONDS
    last_end_s = max(span.end_ns for span in spans) / 1e9
    return quiet or time.time() - last_end_s >= EXPORT_LAG_SECONDS
