"""Calls from the public edge to the services that own the data.

Path segments that came from the caller are percent-encoded, so an id can never reach another
route. Internal answers that the public API has no status for become the public one: a
`conflict` (an idempotency key reused with other parameters) is a 400, as API.md says.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from smartbank import errors
from smartbank.errors import ServiceError
from smartbank.rpc import Rpc

PUBLIC_KIND = {"conflict": "bad_request", "precondition_failed": "bad_request"}


def path(template: str, *segments: str) -> str:
    return template.format(*(quote(segment, safe="") for segment in segments))


async def call(
    rpc: Rpc,
    service: str,
    method: str,
    route: str,
    *,
    json: Any = None,
    params: dict[str, Any] | None = None,
) -> Any:
    try:
        return await rpc.call(
            service, method, route, json=json, params=params, idempotent=method == "GET"
        )
    except ServiceError as error:
        raise public(error) from None


def public(error: ServiceError) -> ServiceError:
    kind = PUBLIC_KIND.get(error.kind)
    if kind is None:
        return error
    detail = error.code.split(".", 1)[1] if "." in error.code else ""
    return errors.ServiceError(f"{kind}.{detail}".rstrip("."), error.message, **error.params)
