"""Tracing: an OpenTelemetry server span per request, joined to the caller's trace.

The span continues the W3C `traceparent` the caller (or Envoy) sent, is named after the matched
route (`POST /cards/{card_id}`: one name per endpoint, not per id) and carries the HTTP
semantic-convention attributes. Every response carries `X-Trace-Id`, so whoever sent a request
can look its trace up, and the access log (an outer layer) finds the trace id in the request
state.

The span is made here with the OpenTelemetry API rather than by the ASGI instrumentation:
that middleware spent about 0.3 ms of CPU per request on attribute collection this platform
never reads, five times per card authorisation; this filter makes the same span for a fifth
of that.
"""

from __future__ import annotations

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, StatusCode, TracerProvider
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartbank.errors import status_of
from smartbank.filters.metrics import route_of

UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
PROPAGATED = frozenset({b"traceparent", b"tracestate", b"baggage"})


class TracingFilter:
    def __init__(self, app: ASGIApp, *, tracer_provider: TracerProvider) -> None:
        self.app = app
        self.tracer = trace.get_tracer("smartbank.server", tracer_provider=tracer_provider)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        carrier = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope.get("headers", ())
            if k in PROPAGATED
        }
        method = scope["method"]
        with self.tracer.start_as_current_span(
            f"{method} {scope['path']}",
            context=propagate.extract(carrier),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            trace_id = format(span.get_span_context().trace_id, "032x")
            scope.setdefault("state", {})["trace_id"] = trace_id

            async def traced_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", []).append((b"x-trace-id", trace_id.encode()))
                    finish(span, scope, message["status"])
                await send(message)

            try:
                await self.app(scope, receive, traced_send)
            except Exception as exc:
                finish(span, scope, status_of(exc), exc)
                raise


def finish(span: trace.Span, scope: Scope, status: int, exc: Exception | None = None) -> None:
    """Name the span after its route and record the outcome; only a 5xx is a server error."""
    route = route_of(scope)
    if route != "unmatched":
        span.update_name(f"{scope['method']} {route}")
        span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        if exc is not None:
            span.record_exception(exc)
        span.set_status(StatusCode.ERROR)
