"""The client's onion, declared once, outermost first.

    deadline → call context → tracing → transport

The deadline is checked before anything is spent on the call; the context headers are set
before the span so the span's own propagation headers are the last word on the trace.
"""

from __future__ import annotations

from opentelemetry.trace import Tracer

from smartbank.chain import chain
from smartbank.outbound.call import Send
from smartbank.outbound.deadline import deadline
from smartbank.outbound.identity import call_context
from smartbank.outbound.tracing import client_span


def wrap(transport: Send, *, caller: str, tracer: Tracer) -> Send:
    return chain([deadline, call_context(caller), client_span(tracer)], transport)
