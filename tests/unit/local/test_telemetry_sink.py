"""The trace sink as a real process, fed by the SDK's own OTLP/HTTP exporter."""

from __future__ import annotations

import argparse
import gzip
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from opentelemetry import propagate, trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.trace import SpanKind, Status, StatusCode

from smartbank.local.cli import trace as trace_cli
from smartbank.local.traces import load_trace
from smartbank.telemetry.tracing import configure_tracing, current_trace_id, shutdown_tracing


@dataclass
class Sink:
    url: str
    home: Path
    process: subprocess.Popen[bytes]

    @property
    def trace_dir(self) -> Path:
        return self.home / "traces"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_sink(home: Path) -> Sink:
    port = _free_port()
    command = [sys.executable, "-m", "smartbank.local.trace_sink", "--port", str(port)]
    process = subprocess.Popen([*command, "--dir", str(home / "traces")])
    sink = Sink(f"http://127.0.0.1:{port}", home, process)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{sink.url}/healthz").status_code == 200:
                return sink
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("trace sink did not become healthy")


def _stop(sink: Sink) -> int:
    if sink.process.poll() is None:
        sink.process.send_signal(signal.SIGTERM)
    return sink.process.wait(timeout=10)


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sink]:
    running = _start_sink(tmp_path_factory.mktemp("home"))
    yield running
    _stop(running)


def _swipe_through_two_services(endpoint: str) -> str:
    """card-api handles a request and calls card-processing; both export, then flush."""
    edge = configure_tracing("card-api", endpoint)
    core = configure_tracing("card-processing", endpoint)
    headers: dict[str, str] = {}
    with edge.get_tracer("test").start_as_current_span(
        "POST /authorisations", kind=SpanKind.SERVER
    ):
        trace_id = current_trace_id()
        propagate.inject(headers)
    incoming = propagate.extract(headers)
    tracer = core.get_tracer("test")
    with tracer.start_as_current_span("authorise", context=incoming, kind=SpanKind.SERVER) as span:
        span.set_attribute("amount.minor", 1250)
        span.set_status(Status(StatusCode.ERROR, "insufficient funds"))
    shutdown_tracing(core)
    shutdown_tracing(edge)
    return trace_id


def test_export_from_two_services_links_child_to_parent(sink: Sink) -> None:
    trace_id = _swipe_through_two_services(sink.url)

    parent, child = load_trace(sink.trace_dir, trace_id)

    assert (parent.service, parent.name, parent.parent_id) == (
        "card-api",
        "POST /authorisations",
        None,
    )
    assert (child.service, child.name, child.parent_id) == (
        "card-processing",
        "authorise",
        parent.span_id,
    )
    assert {parent.trace_id, child.trace_id} == {trace_id}
    assert (child.kind, child.status, child.attributes["amount.minor"]) == ("SERVER", "ERROR", 1250)
    assert child.start.endswith("Z") and len(child.start) == len("2025-01-01T00:00:00.000000Z")


def test_trace_cli_json_lists_exported_spans(
    sink: Sink, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trace_id = _swipe_through_two_services(sink.url)
    monkeypatch.setenv("SMARTBANK_HOME", str(sink.home))

    code = trace_cli.run(argparse.Namespace(trace_id=trace_id.upper(), json=True, wait=0.0))

    spans = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [span["service"] for span in spans] == ["card-api", "card-processing"]
    assert {"service", "name", "span_id", "parent_id", "start", "duration_ms"} <= set(spans[0])
    assert spans[1]["parent_id"] == spans[0]["span_id"]


def test_current_trace_id_is_empty_outside_a_span_and_set_inside_one() -> None:
    provider = configure_tracing("cards", "")
    assert current_trace_id() == ""
    with provider.get_tracer("test").start_as_current_span("freeze") as span:
        expected = trace.format_trace_id(span.get_span_context().trace_id)
        assert current_trace_id() == expected
    shutdown_tracing(provider)


def test_post_otlp_json_stores_spans_and_answers_empty_object(sink: Sink) -> None:
    trace_id, span_id = "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"
    body = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "edge"}}]
                },
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": trace_id,
                                "spanId": span_id,
                                "parentSpanId": "",
                                "name": "ingress",
                                "kind": 2,
                                "startTimeUnixNano": "1700000000000000000",
                                "endTimeUnixNano": "1700000000012500000",
                                "attributes": [
                                    {"key": "http.status_code", "value": {"intValue": "200"}}
                                ],
                                "status": {"code": "STATUS_CODE_OK"},
                            }
                        ]
                    }
                ],
            }
        ]
    }

    response = httpx.post(f"{sink.url}/v1/traces", json=body)

    assert (response.status_code, response.json()) == (200, {})
    (span,) = load_trace(sink.trace_dir, trace_id)
    assert (span.span_id, span.parent_id, span.service, span.kind) == (
        span_id,
        None,
        "edge",
        "SERVER",
    )
    assert (span.start, span.duration_ms, span.status) == (
        "2023-11-14T22:13:20.000000Z",
        12.5,
        "OK",
    )
    assert span.attributes == {"http.status_code": 200}


def test_post_gzipped_protobuf_answers_empty_export_response(sink: Sink) -> None:
    request = ExportTraceServiceRequest()
    span = request.resource_spans.add().scope_spans.add().spans.add()
    span.trace_id, span.span_id, span.name = bytes(range(1, 17)), bytes(range(1, 9)), "gzipped"
    headers = {"content-type": "application/x-protobuf", "content-encoding": "gzip"}

    response = httpx.post(
        f"{sink.url}/v1/traces", content=gzip.compress(request.SerializeToString()), headers=headers
    )

    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-type"] == "application/x-protobuf"
    (stored,) = load_trace(sink.trace_dir, bytes(range(1, 17)).hex())
    assert (stored.name, stored.service) == ("gzipped", "unknown")


@pytest.mark.parametrize(
    ("path", "content_type", "body", "status"),
    [
        ("/v1/traces", "text/plain", b"spans", 415),
        ("/v1/traces", "application/x-protobuf", b"\xff\xff\xff", 400),
        ("/v1/traces", "application/json", b"[1, 2", 400),
        ("/v1/metrics", "application/x-protobuf", b"", 404),
    ],
)
def test_post_rejects_what_is_not_an_otlp_trace_export(
    sink: Sink, path: str, content_type: str, body: bytes, status: int
) -> None:
    response = httpx.post(sink.url + path, content=body, headers={"content-type": content_type})
    assert response.status_code == status


def test_sigterm_stops_the_sink_with_exit_code_zero(tmp_path: Path) -> None:
    assert _stop(_start_sink(tmp_path)) == 0


async def test_sink_forwards_each_export_unchanged_to_the_users_collector(tmp_path: Path) -> None:
    import asyncio

    from smartbank.local.trace_sink import Forwarder, SinkApp, SpanWriter

    received: list[httpx.Request] = []

    def collector(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    forward_client = httpx.AsyncClient(transport=httpx.MockTransport(collector))
    forwarder = Forwarder("http://jaeger:4318/", forward_client)
    app = SinkApp(SpanWriter(tmp_path), forwarder)
    body = ExportTraceServiceRequest().SerializeToString()
    headers = {"content-type": "application/x-protobuf"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        answered = await c.post("/v1/traces", content=body, headers=headers)
    await asyncio.gather(*forwarder.pending)
    await forward_client.aclose()
    assert answered.status_code == 200
    [forwarded] = received
    assert str(forwarded.url) == "http://jaeger:4318/v1/traces"
    assert forwarded.content == body
    assert forwarded.headers["content-type"] == "application/x-protobuf"


def test_sink_forwards_only_when_the_user_names_a_collector(tmp_path: Path) -> None:
    from smartbank.local.launcher import commands
    from smartbank.local.launcher.layout import Layout
    from smartbank.local.launcher.ports import StackPorts

    layout, ports = Layout(tmp_path), StackPorts()
    plain = commands.sink_argv(layout, ports, parent={})
    forwarding = commands.sink_argv(
        layout, ports, parent={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4319"}
    )
    assert "--forward" not in plain
    assert forwarding[-2:] == ["--forward", "http://127.0.0.1:4319"]
