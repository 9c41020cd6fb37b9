"""No call starts without time left, and the proxy is told how much there is."""

from __future__ import annotations

from smartbank import context, errors
from smartbank.outbound.call import Call, Reply, Send

ENVOY_TIMEOUT = "x-envoy-upstream-rq-timeout-ms"


async def deadline(call: Call, send: Send) -> Reply:
    remaining = context.current().remaining()
    if remaining <= 0:
        raise errors.timeout("deadline_exceeded", f"no time left to call {call.service}")
    call.headers[ENVOY_TIMEOUT] = str(max(1, int(remaining * 1000)))
    return await send(call)
