"""The call context (request id, deadline, principal, caller) goes out in headers, as the
server's identity filter reads it back."""

from __future__ import annotations

from smartbank import context
from smartbank.outbound.call import Call, Filter, Reply, Send

IDEMPOTENT = "x-smartbank-idempotent"


def call_context(caller: str) -> Filter:
    async def with_context(call: Call, send: Send) -> Reply:
        call.headers.update(context.current().to_headers(caller))
        if call.idempotent:  # the proxy may retry it on a refused connection
            call.headers[IDEMPOTENT] = "true"
        return await send(call)

    return with_context
