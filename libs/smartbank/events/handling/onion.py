"""The consumer's onion, declared once, outermost first.

    timing → consumer span → call context → handler

Timing is outermost so it covers the span's own cost, as the server's metrics filter does; the
span is opened before the context is bound so that logs in the handler carry its trace id.
"""

from __future__ import annotations

from opentelemetry.trace import Tracer

from smartbank.chain import chain
from smartbank.events.handling.context import call_context
from smartbank.events.handling.received import Handle
from smartbank.events.handling.timing import timed
from smartbank.events.handling.tracing import consumer_span
from smartbank.events.metrics import ConsumerMetrics


def wrap(handle: Handle, *, group: str, tracer: Tracer, metrics: ConsumerMetrics) -> Handle:
    return chain([timed(metrics, group), consumer_span(tracer, group), call_context], handle)
