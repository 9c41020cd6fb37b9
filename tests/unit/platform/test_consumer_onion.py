"""Each consumed event is handled inside its onion: timing, a CONSUMER span, the call context."""

from __future__ import annotations

import pytest
from google.protobuf.empty_pb2 import Empty
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import CollectorRegistry

from smartbank import context
from smartbank.events.envelope import Event
from smartbank.events.handling import Handle, Received, onion
from smartbank.events.metrics import ConsumerMetrics

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"
TOPIC = "transaction.created"


def received(request_id: str = "req_1") -> Received:
    event = Event(
        TOPIC,
        "acc_1",
        Empty(),
        event_id="evt_1",
        traceparent=f"00-{TRACE_ID}-{PARENT}-01",
        request_id=request_id,
    )
    return Received(event, TOPIC, 3, 42)


class Kit:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.tracer = provider.get_tracer("test")
        self.registry = CollectorRegistry()
        self.metrics = ConsumerMetrics(self.registry)

    def wrap(self, handle: Handle) -> Handle:
        return onion.wrap(handle, group="feed", tracer=self.tracer, metrics=self.metrics)

    def processed(self) -> float | None:
        labels = {"topic": TOPIC, "group": "feed"}
        return self.registry.get_sample_value("smartbank_events_processed_total", labels)


@pytest.fixture
def kit() -> Kit:
    return Kit()


async def test_a_handler_runs_in_the_events_call_context_with_a_fresh_deadline(kit: Kit) -> None:
    seen: list[context.CallContext] = []

    async def handle(_: Received) -> None:
        seen.append(context.current())

    await kit.wrap(handle)(received("req_from_swipe"))
    assert seen[0].request_id == "req_from_swipe"
    assert seen[0].caller == f"kafka:{TOPIC}"
    assert 29 < seen[0].remaining() <= 30


async def test_an_event_without_a_request_id_gets_one(kit: Kit) -> None:
    seen: list[str] = []

    async def handle(_: Received) -> None:
        seen.append(context.current().request_id)

    await kit.wrap(handle)(received(request_id=""))
    assert seen[0]


async def test_handling_is_a_consumer_span_under_the_publishers_span(kit: Kit) -> None:
    async def handle(_: Received) -> None:
        return None

    await kit.wrap(handle)(received())
    (span,) = kit.spans.get_finished_spans()
    assert span.name == f"process {TOPIC}" and span.kind is SpanKind.CONSUMER
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None and format(span.parent.span_id, "016x") == PARENT
    attributes = dict(span.attributes or {})
    assert attributes["messaging.consumer.group.name"] == "feed"
    assert attributes["messaging.kafka.offset"] == 42
    assert kit.processed() == 1


async def test_a_failed_handling_marks_its_span_and_is_not_counted_as_processed(kit: Kit) -> None:
    async def handle(_: Received) -> None:
        raise RuntimeError("merchant down")

    with pytest.raises(RuntimeError):
        await kit.wrap(handle)(received())
    (span,) = kit.spans.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert [e.name for e in span.events] == ["exception"]
    assert kit.processed() is None
