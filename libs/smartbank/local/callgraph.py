"""The service call graph, drawn from recorded traces.

An edge is a service whose span has its parent in another service: an HTTP call (a SERVER span)
or an event handled from Kafka (a CONSUMER span, labelled with its topic). Envoy sits on every
HTTP hop; its spans are looked through, so the graph shows who calls whom, not the proxy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from smartbank.local.traces import SPAN_FILES, SpanRecord, parse_line

PROXY = "envoy"
Edge = tuple[str, str, str]  # caller, callee, how ("http" or "kafka <topic>")


def edges(spans: Iterable[SpanRecord]) -> Counter[Edge]:
    by_id = {span.span_id: span for span in spans}
    counted: Counter[Edge] = Counter()
    for span in by_id.values():
        if span.service == PROXY or span.kind not in ("SERVER", "CONSUMER"):
            continue
        caller = _calling_service(span, by_id)
        if caller is not None and caller != span.service:
            counted[(caller, span.service, _how(span))] += 1
    return counted


def _calling_service(span: SpanRecord, by_id: dict[str, SpanRecord]) -> str | None:
    parent = by_id.get(span.parent_id or "")
    while parent is not None and parent.service == PROXY:
        parent = by_id.get(parent.parent_id or "")
    return parent.service if parent is not None else None


def _how(span: SpanRecord) -> str:
    if span.kind == "CONSUMER":
        return f"kafka {span.attributes.get('messaging.destination.name', '')}".strip()
    return "http"


def recorded_spans(trace_dir: Path, files: int = 1) -> Iterator[SpanRecord]:
    """Every span in the newest `files` span files."""
    for path in sorted(trace_dir.glob(SPAN_FILES), reverse=True)[:files]:
        with path.open("rb") as lines:
            for line in lines:
                record = parse_line(line)
                if record is not None:
                    yield record


def mermaid(counted: Counter[Edge]) -> str:
    lines = ["flowchart LR"]
    for (caller, callee, how), count in sorted(counted.items()):
        label = f"{count}" if how == "http" else f"{how} · {count}"
        lines.append(f"  {_node(caller)} -->|{label}| {_node(callee)}")
    return "\n".join(lines)


def dot(counted: Counter[Edge]) -> str:
    lines = ["digraph smartbank {", "  rankdir=LR;", "  node [shape=box];"]
    for (caller, callee, how), count in sorted(counted.items()):
        label = f"{count}" if how == "http" else f"{how}\\n{count}"
        style = "" if how == "http" else ", style=dashed"
        lines.append(f'  "{caller}" -> "{callee}" [label="{label}"{style}];')
    lines.append("}")
    return "\n".join(lines)


def _node(service: str) -> str:
    return f"{service.replace('-', '_')}[{service}]"
