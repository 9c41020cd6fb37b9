"""The spans a request leaves: one trace across a real RPC hop, named after routes."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
import uvicorn
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from smartbank.app import build_app
from smartbank.settings import PlatformSettings
from tests.unit.conftest import free_port, probe

pytestmark = pytest.mark.asyncio

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"


@pytest_asyncio.fixture
async def traced_probe() -> AsyncIterator[tuple[str, InMemorySpanExporter]]:
    """The probe on a real port, its RPC client calling itself, every span kept in memory."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    built = build_app(probe, PlatformSettings(storage="memory", mesh_url=url, port=port))
    exporter = InMemorySpanExporter()
    built.runtime.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    server = uvicorn.Server(uvicorn.Config(built.asgi, port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    yield url, exporter
    server.should_exit = True
    await task


def attrs(span: ReadableSpan) -> dict[str, object]:
    return dict(span.attributes or {})


def by_name(spans: tuple[ReadableSpan, ...]) -> dict[str, ReadableSpan]:
    return {span.name: span for span in spans}


async def test_one_trace_spans_the_caller_the_call_and_the_callee(traced_probe):
    url, exporter = traced_probe
    headers = {"traceparent": f"00-{TRACE_ID}-{PARENT}-01"}
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/relay/context", headers=headers)
    assert response.status_code == 200
    spans = by_name(exporter.get_finished_spans())
    outer, call, inner = spans["GET /relay/{path:path}"], spans["GET cards"], spans["GET /context"]
    assert {format(s.context.trace_id, "032x") for s in (outer, call, inner)} == {TRACE_ID}
    assert outer.parent is not None and format(outer.parent.span_id, "016x") == PARENT
    assert call.parent is not None and call.parent.span_id == outer.context.span_id
    assert inner.parent is not None and inner.parent.span_id == call.context.span_id
    kinds = (outer.kind, call.kind, inner.kind)
    assert kinds == (SpanKind.SERVER, SpanKind.CLIENT, SpanKind.SERVER)
    assert attrs(outer)["http.route"] == "/relay/{path:path}"
    assert attrs(outer)["http.response.status_code"] == 200
    assert attrs(call)["server.address"] == "cards"
    assert attrs(call)["http.response.status_code"] == 200


async def test_a_client_error_is_not_a_server_error_but_a_crash_is(traced_probe):
    url, exporter = traced_probe
    async with httpx.AsyncClient(base_url=url) as client:
        refused = await client.get("/fail/bad_request.insufficient_funds")
        crashed = await client.get("/crash")
    assert (refused.status_code, crashed.status_code) == (400, 500)
    spans = by_name(exporter.get_finished_spans())
    assert spans["GET /fail/{code}"].status.status_code == StatusCode.UNSET
    assert attrs(spans["GET /fail/{code}"])["http.response.status_code"] == 400
    assert spans["GET /crash"].status.status_code == StatusCode.ERROR


async def test_probes_and_metrics_leave_no_spans(traced_probe):
    url, exporter = traced_probe
    async with httpx.AsyncClient(base_url=url) as client:
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await client.get(path)).status_code == 200
    assert exporter.get_finished_spans() == ()


async def test_unsampled_trace_is_not_recorded_but_a_sampled_caller_is_followed() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = PlatformSettings(storage="memory", mesh_url=url, port=port, trace_sampling=0.0)
    built = build_app(probe, settings)
    exporter = InMemorySpanExporter()
    built.runtime.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    server = uvicorn.Server(uvicorn.Config(built.asgi, port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            unsampled = await client.get("/context")
            assert exporter.get_finished_spans() == ()
            headers = {"traceparent": f"00-{TRACE_ID}-{PARENT}-01"}
            await client.get("/context", headers=headers)
    finally:
        server.should_exit = True
        await task
    assert len(unsampled.headers["x-trace-id"]) == 32  # ids still minted and propagated
    assert [format(s.context.trace_id, "032x") for s in exporter.get_finished_spans()] == [TRACE_ID]
