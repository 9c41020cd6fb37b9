"""Reading traces back from Jaeger's query API, as the spans the trace sink's files hold.

With `--infra real` the spans go to Jaeger instead of the local sink, so `smartbank trace` and
`smartbank graph` read them from there. Jaeger's JSON (the API its UI uses) is turned into the
same `SpanRecord`s, so drawing a tree or a call graph does not care where the spans came from.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any

from smartbank.local.traces import SpanRecord, normalise_trace_id, rfc3339

TIMEOUT_S = 5.0
# Jaeger tags that SpanRecord has fields for; the rest stay attributes.
KIND_TAG, STATUS_TAG = "span.kind", "otel.status_code"


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        return json.load(response)


def load_trace(query_url: str, trace_id: str) -> list[SpanRecord]:
    """The trace's spans by start ([] while Jaeger has none of it: it answers 404 then)."""
    url = f"{query_url}/api/traces/{normalise_trace_id(trace_id)}"
    try:
        found = get_json(url).get("data") or []
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise
    spans = [span for trace in found for span in records(trace)]
    return sorted(spans, key=lambda span: span.start_ns)


def recent_spans(query_url: str, traces: int) -> Iterator[SpanRecord]:
    """Spans of the newest `traces` traces of every service Jaeger knows, each span once."""
    seen: set[str] = set()
    for service in get_json(f"{query_url}/api/services").get("data") or []:
        query = urllib.parse.urlencode({"service": service, "limit": traces})
        for trace in get_json(f"{query_url}/api/traces?{query}").get("data") or []:
            for span in records(trace):
                if span.span_id not in seen:
                    seen.add(span.span_id)
                    yield span


def records(trace: Mapping[str, Any]) -> list[SpanRecord]:
    """One Jaeger trace (spans + processes) as `SpanRecord`s."""
    services = {pid: p.get("serviceName", "unknown") for pid, p in trace["processes"].items()}
    return [record(span, services.get(span.get("processID"), "unknown")) for span in trace["spans"]]


def record(span: Mapping[str, Any], service: str) -> SpanRecord:
    tags = {tag["key"]: tag.get("value") for tag in span.get("tags") or []}
    parents = [r["spanID"] for r in span.get("references") or [] if r.get("refType") == "CHILD_OF"]
    start_us = int(span.get("startTime", 0))
    return SpanRecord(
        trace_id=span["traceID"].rjust(32, "0"),
        span_id=span["spanID"],
        parent_id=parents[0] if parents else None,
        service=service,
        name=span.get("operationName", ""),
        kind=str(tags.pop(KIND_TAG, "unspecified")).upper(),
        start=rfc3339(start_us * 1000),
        start_ns=start_us * 1000,
        duration_ms=int(span.get("duration", 0)) / 1000,
        status=str(tags.pop(STATUS_TAG, "ERROR" if tags.get("error") else "UNSET")),
        attributes=tags,
    )
