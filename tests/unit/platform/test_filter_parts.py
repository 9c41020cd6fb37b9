"""The onion's parts on their own: the headers it reads, the context it binds, what it counts."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from prometheus_client import CollectorRegistry
from starlette.types import Message, Receive, Scope, Send

from smartbank.errors import ServiceError
from smartbank.filters import onion
from smartbank.filters.access_log import log_request
from smartbank.filters.deadline import call_context, first_headers
from smartbank.filters.metrics import HttpMetrics


def scope_with(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": "/things/1", "headers": list(headers)}


def test_first_headers_keeps_the_first_of_a_repeated_header() -> None:
    scope = scope_with((b"x-smartbank-caller", b"cards"), (b"x-smartbank-caller", b"spoof"))
    assert first_headers(scope) == {"x-smartbank-caller": "cards"}


def test_call_context_carries_the_caller_and_principal_and_the_budget() -> None:
    ctx = call_context(
        {
            "x-request-id": "req-1",
            "x-smartbank-caller": "api",
            "x-smartbank-principal": "user_1",
            "x-smartbank-budget-ms": "250",
        }
    )
    assert (ctx.request_id, ctx.caller, ctx.principal) == ("req-1", "api", "user_1")
    assert 0.2 < ctx.remaining() <= 0.25


def test_call_context_refuses_a_spent_budget() -> None:
    with pytest.raises(ServiceError) as refused:
        call_context({"x-smartbank-budget-ms": "0"})
    assert refused.value.code == "timeout.deadline_exceeded"


def test_observe_counts_each_status_on_its_own_child() -> None:
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry, "cards")
    for status in (200, 200, 404):
        metrics.observe("GET", "/cards/{card_id}", status, 0.002)
    labels = {"method": "GET", "route": "/cards/{card_id}"}
    count = registry.get_sample_value
    assert count("smartbank_http_requests_total", {**labels, "status": "200"}) == 2
    assert count("smartbank_http_requests_total", {**labels, "status": "404"}) == 1
    assert count("smartbank_http_request_duration_seconds_count", labels) == 3


def test_log_request_writes_the_fields_of_the_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="smartbank.access")
    headers = {"x-request-id": "req-9", "x-smartbank-caller": "card-api"}
    log_request(scope_with(), 201, 0.0123456, headers, "ab" * 16)
    (record,) = [r for r in caplog.records if r.name == "smartbank.access"]
    assert record.getMessage() == "GET /things/1 201"
    fields = {k: getattr(record, k) for k in ("request_id", "trace_id", "status", "caller")}
    assert fields == {
        "request_id": "req-9",
        "trace_id": "ab" * 16,
        "status": 201,
        "caller": "card-api",
    }
    assert record.__dict__["duration_ms"] == 12.346


async def test_a_crash_after_the_response_started_is_a_server_error() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    registry = CollectorRegistry()

    async def half_answered(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("the body could not be built")

    app = onion.wrap(
        half_answered,
        metrics=HttpMetrics(registry, "probe"),
        tracer_provider=provider,
        access_log=False,
    )
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    await app(scope_with(), receive, send)
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["http.response.status_code"] == 500
    assert [event.name for event in span.events] == ["exception"]
    labels = {"method": "GET", "route": "unmatched", "status": "500"}
    assert registry.get_sample_value("smartbank_http_requests_total", labels) == 1
    assert sent[0]["status"] == 200 and len(sent) == 1
