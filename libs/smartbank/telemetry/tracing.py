"""Building the tracer provider each service hands to its instrumentations.

The provider is returned rather than installed globally so an app, and each test, owns its own:
two apps built in one process never share (or shut down) each other's exporter. Propagation is
left at the OpenTelemetry default, W3C tracecontext, so `traceparent` crosses every hop,
including Envoy, whose OpenTelemetry tracer speaks the same header.
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

TRACES_PATH = "/v1/traces"
SCHEDULE_DELAY_MS = 1000
MAX_EXPORT_BATCH_SIZE = 512
MAX_QUEUE_SIZE = 8192
EXPORT_TIMEOUT_MS = 5000
FLUSH_TIMEOUT_MS = 5000


def configure_tracing(
    service_name: str, otlp_endpoint: str, sampling: float = 1.0
) -> TracerProvider:
    """A provider whose spans carry `service_name` and go, batched, to `otlp_endpoint`.

    With no endpoint nothing is exported, but spans are still real (valid ids), so trace ids
    are still minted, logged and propagated downstream. `sampling` is the share of traces
    that start here which are recorded; one that arrives keeps its caller's decision, so a
    trace is recorded whole or not at all. The batch processor exports from its
    own thread at most once a second and drops spans when its bounded queue is full, so a
    slow or absent collector never slows a request down.
    """
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: service_name}),
        sampler=ParentBased(TraceIdRatioBased(sampling)),
    )
    if otlp_endpoint:
        exporter = OTLPSpanExporter(
            endpoint=otlp_endpoint.rstrip("/") + TRACES_PATH,
            timeout=EXPORT_TIMEOUT_MS / 1000,
        )
        processor = BatchSpanProcessor(
            exporter,
            max_queue_size=MAX_QUEUE_SIZE,
            schedule_delay_millis=SCHEDULE_DELAY_MS,
            max_export_batch_size=MAX_EXPORT_BATCH_SIZE,
            export_timeout_millis=EXPORT_TIMEOUT_MS,
        )
        provider.add_span_processor(processor)
    return provider


def shutdown_tracing(provider: TracerProvider, timeout_millis: int = FLUSH_TIMEOUT_MS) -> None:
    """Export what is still queued (waiting at most `timeout_millis`), then stop the exporter."""
    provider.force_flush(timeout_millis)
    provider.shutdown()


def current_trace_id() -> str:
    """The current trace id as 32 lowercase hex characters, or "" outside any span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return ""
    return trace.format_trace_id(context.trace_id)
