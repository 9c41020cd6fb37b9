"""Each call is a CLIENT span with the HTTP semantic-convention attributes, and the trace
context goes out in its headers (W3C traceparent), so the server's span is its child."""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.trace import SpanKind, StatusCode, Tracer

from smartbank.outbound.call import Call, Filter, Reply, Send


def client_span(tracer: Tracer) -> Filter:
    async def traced(call: Call, send: Send) -> Reply:
        with tracer.start_as_current_span(
            f"{call.method} {call.service}", kind=SpanKind.CLIENT, record_exception=False
        ) as span:
            span.set_attributes(
                {
                    "http.request.method": call.method,
                    "server.address": call.service,
                    "url.path": call.path,
                }
            )
            propagate.inject(call.headers)
            reply = await send(call)
            span.set_attribute("http.response.status_code", reply.status)
            if reply.status >= 400:
                span.set_status(StatusCode.ERROR)
            return reply

    return traced
