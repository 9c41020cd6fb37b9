"""Tracing: an OpenTelemetry server span per request, joined to the caller's trace.

The span continues the W3C `traceparent` the caller (or Envoy) sent. Every response carries
`X-Trace-Id`, so whoever sent a request can look its trace up, and the access log (an outer
layer) finds the trace id in the request state.
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.trace import TracerProvider
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartbank.filters.metrics import route_of

EXCLUDED_URLS = "/healthz,/readyz,/metrics"


def span_details(scope: Scope) -> tuple[str, dict[str, str]]:
    return f"{scope.get('method', 'HTTP')} {scope.get('path', '')}", {}


class TraceStamp:
    """Inside the span: publish its trace id and name the span after the matched route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        span = trace.get_current_span()
        trace_id = format(span.get_span_context().trace_id, "032x")
        scope.setdefault("state", {})["trace_id"] = trace_id

        async def stamping_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-trace-id", trace_id.encode()))
                name_after_route(span, scope)
            await send(message)

        await self.app(scope, receive, stamping_send)


def name_after_route(span: trace.Span, scope: Scope) -> None:
    """`POST /cards/{card_id}` rather than the raw path: one name per endpoint, not per id."""
    route = route_of(scope)
    if route != "unmatched":
        span.update_name(f"{scope['method']} {route}")
        span.set_attribute("http.route", route)


def tracing_filter(app: ASGIApp, *, tracer_provider: TracerProvider) -> ASGIApp:
    """The OpenTelemetry ASGI middleware (the instrumentation FastAPI uses) around TraceStamp."""
    return OpenTelemetryMiddleware(
        TraceStamp(app),
        excluded_urls=EXCLUDED_URLS,
        default_span_details=span_details,
        tracer_provider=tracer_provider,
        exclude_spans=["receive", "send"],
    )
