"""Deadline and caller identity: the call context a request is served in.

The caller's remaining budget becomes an absolute deadline on arrival. A request whose budget
is already spent (it waited in a socket or the event loop past its caller's deadline) is
refused before any work is done; otherwise the context (request id, deadline, and which service
calls on behalf of which principal) is bound for everything downstream, including RPC calls,
which pass on only what is left. Behind the edge proxy, arrival is when the edge received the
request, not when this process got round to it.

Inside the mesh the identity headers are trusted: the edge strips them from outside traffic and
the api sets the principal only after checking a token. Handlers read `context.current()`.
"""

from __future__ import annotations

import time

from starlette.types import Scope

from smartbank import context, errors


def first_headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name; of a repeated header, its first value.

    Only the edge and the sidecars write the internal ones (the edge strips what a client
    sent and overwrites its arrival stamp), so a repeat is never a client's to choose.
    """
    headers: dict[str, str] = {}
    for key, value in scope.get("headers", ()):
        name = key.decode("latin-1")
        if name not in headers:
            headers[name] = value.decode("latin-1")
    return headers


def call_context(headers: dict[str, str]) -> context.CallContext:
    """The context to serve a request in, from its headers; refused when its time is up."""
    arrived = context.edge_arrival(headers.get(context.ARRIVED_AT_MS))
    if arrived is None:
        arrived = time.monotonic()
    ctx = context.CallContext.from_headers(headers, arrived=arrived)
    if ctx.expired():
        raise errors.timeout("deadline_exceeded", "the request's deadline had passed on arrival")
    return ctx
