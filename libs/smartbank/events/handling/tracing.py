"""Each handling is a CONSUMER span, the child of the span that published the event (its trace
context travels in the envelope), so a swipe's trace continues across the Kafka hop."""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.trace import SpanKind, StatusCode, Tracer

from smartbank.events.handling.received import Filter, Handle, Received


def consumer_span(tracer: Tracer, group: str) -> Filter:
    async def traced(received: Received, handle: Handle) -> None:
        event = received.event
        parent = propagate.extract(
            {"traceparent": event.traceparent, "tracestate": event.tracestate}
        )
        with tracer.start_as_current_span(
            f"process {received.topic}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": received.topic,
                "messaging.consumer.group.name": group,
                "messaging.message.id": event.event_id,
                "messaging.kafka.offset": received.offset,
            },
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                await handle(received)
            except Exception as exc:
                span.record_exception(exc)
                span.set_status(StatusCode.ERROR, str(exc)[:200])
                raise

    return traced
