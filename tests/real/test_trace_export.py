"""Spans exported the way every service exports them arrive in Jaeger, parent links intact."""

from __future__ import annotations

import time
import urllib.error
from typing import Any

from smartbank.local.real.jaeger import RunningJaeger, get_json
from smartbank.telemetry.tracing import configure_tracing, shutdown_tracing


def read_trace(query_url: str, trace_id: str, spans: int, within: float = 15.0) -> dict[str, Any]:
    """The trace once Jaeger has `spans` of it (its batch processor and store take a moment)."""
    deadline = time.monotonic() + within
    while True:
        try:
            found = get_json(f"{query_url}/api/traces/{trace_id}")["data"]
            if found and len(found[0]["spans"]) >= spans:
                return dict(found[0])
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise
        assert time.monotonic() < deadline, f"trace {trace_id} not in Jaeger within {within} s"
        time.sleep(0.2)


def test_spans_sent_over_otlp_http_are_read_back_from_the_query_api(
    jaeger_collector: RunningJaeger,
) -> None:
    provider = configure_tracing("real-probe", jaeger_collector.otlp_endpoint)
    tracer = provider.get_tracer("tests.real")
    with tracer.start_as_current_span("authorise") as parent:
        with tracer.start_as_current_span("reserve"):
            pass
        trace_id = format(parent.get_span_context().trace_id, "032x")
        parent_id = format(parent.get_span_context().span_id, "016x")
    shutdown_tracing(provider)

    trace = read_trace(jaeger_collector.query_url, trace_id, spans=2)

    by_name = {span["operationName"]: span for span in trace["spans"]}
    assert set(by_name) == {"authorise", "reserve"}
    child_of = [ref["spanID"] for ref in by_name["reserve"]["references"]]
    assert child_of == [parent_id]
    services = {p["serviceName"] for p in trace["processes"].values()}
    assert services == {"real-probe"}
