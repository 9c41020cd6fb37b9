"""Calls from the public edge to the services that own the data.

Ids that came from the caller must look like ids (letters, digits, `_` and `-`) or they name
nothing, and the path is built by `smartbank.rpc.route`, which keeps each one a single segment.
Internal answers become public ones: a `conflict` (an idempotency key reused with other
parameters) is a 400, as API.md says, and every "not found" reads the same whether the thing
is missing or someone else's, so ids cannot be probed. A service behind the edge that cannot be
reached (503) or answers nonsense (502) is the public API's own failure: a 500, since API.md's
statuses are those of the Monzo API, which has no 502 or 503.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel

from smartbank import errors
from smartbank.errors import ServiceError
from smartbank.rpc import Rpc, route

M = TypeVar("M", bound=BaseModel)

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,199}")
PUBLIC_KIND = {"conflict": "bad_request", "precondition_failed": "bad_request"}
OUTAGE_KINDS = frozenset({"unavailable", "bad_gateway"})


def missing(entity: str) -> ServiceError:
    return errors.not_found(entity, f"no {entity.replace('_', ' ')} with that id")


def path(template: str, *segments: str) -> str:
    for segment in segments:
        if not ID.fullmatch(segment):
            raise missing(template.strip("/").split("/")[0].removesuffix("s"))
    return route(template, *segments)


async def call(
    rpc: Rpc,
    service: str,
    method: str,
    route: str,
    *,
    reply: type[M],
    json: Any = None,
    params: dict[str, Any] | None = None,
) -> M:
    """The answer as the contract `reply`, with any failure made public (`public`)."""
    try:
        return await rpc.call(
            service,
            method,
            route,
            json=json,
            params=params,
            idempotent=method == "GET",
            reply=reply,
        )
    except ServiceError as error:
        raise public(error) from None


def public(error: ServiceError) -> ServiceError:
    detail = error.code.split(".", 1)[1] if "." in error.code else ""
    if error.kind == "not_found" and detail:
        return missing(detail)
    if error.kind in OUTAGE_KINDS:
        return errors.internal_service(
            "unavailable", "a service this request needs is unavailable; try again shortly"
        )
    kind = PUBLIC_KIND.get(error.kind)
    if kind is None:
        return error
    rebuilt = errors.ServiceError(f"{kind}.{detail}".rstrip("."), error.message, **error.params)
    return rebuilt.with_fields(**error.fields)
