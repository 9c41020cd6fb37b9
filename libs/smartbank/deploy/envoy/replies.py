"""What an edge answers itself, in the contracts' shapes (API.md sections 1 and 2).

Envoy answers for the service behind an edge when there is no such route, when the service is
down, resets or is too slow, or when the request is not valid HTTP. Those answers are JSON
with a code and a message, with only the statuses the contract lists, except on the card
network's messages: there a timeout, or more messages than card-api may have in flight, is the
network's own answer, 91, in that message's shape. Answers from the services pass through
untouched: the mappers apply to Envoy's own replies only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

HEADER_MUTATION = "envoy.extensions.filters.http.header_mutation.v3.HeaderMutation"
TRACE_ID_HEADER = "x-trace-id"
ISSUER_UNAVAILABLE = "91"


def edge_local_replies(first: list[dict[str, Any]]) -> dict[str, Any]:
    """`first`, then the catch-alls: timeouts, the service unavailable, HTTP Envoy refused."""
    return {
        "mappers": [
            *first,
            local_reply(("EQ", 504), 504, "timeout.upstream", "the service did not answer in time"),
            local_reply(
                ("GE", 500), 500, "internal_service.unavailable", "the service is unavailable"
            ),
            local_reply(("GE", 400), 400, "bad_request.http", "the request is not valid HTTP"),
        ]
    }


def not_found_reply() -> dict[str, Any]:
    """No route: the path (or method) is not one this edge serves."""
    message = "nothing is served at this path"  # Envoy has no reply body of its own to add
    return local_reply(("EQ", 404), 404, "not_found.route", message, with_body=False)


def stand_in_replies(verdict_by_path: Mapping[str, str]) -> list[dict[str, Any]]:
    """91 for a network message card-api did not answer in time (504) or was not let have
    (503 overflow of the circuit breaker): status 200, `{"<verdict>": false, "response_code":
    "91"}`, the verdict key (`approved` or `accepted`) being the message's own."""
    return [
        {
            "filter": {
                "and_filter": {
                    "filters": [
                        {"header_filter": {"header": {"name": ":path", **prefixed(path)}}},
                        {"or_filter": {"filters": [status_is(504), overflowed()]}},
                    ]
                }
            },
            "status_code": 200,
            "body_format_override": {
                "json_format": {verdict: False, "response_code": ISSUER_UNAVAILABLE},
                "content_type": "application/json",
            },
        }
        for path, verdict in verdict_by_path.items()
    ]


def prefixed(path: str) -> dict[str, Any]:
    return {"string_match": {"prefix": path}}


def overflowed() -> dict[str, Any]:
    return {"response_flag_filter": {"flags": ["UO"]}}


def status_is(status: int, op: str = "EQ") -> dict[str, Any]:
    runtime_key = f"smartbank.local_reply.{op}{status}"
    value = {"default_value": status, "runtime_key": runtime_key}
    return {"status_code_filter": {"comparison": {"op": op, "value": value}}}


def local_reply(
    when: tuple[str, int], status: int, code: str, message: str, *, with_body: bool = True
) -> dict[str, Any]:
    """`message`, and Envoy's own text for the reply (why it gave up) when it has one."""
    op, value = when
    return {
        "filter": status_is(value, op),
        "status_code": status,
        "body_format_override": {
            "json_format": {
                "code": code,
                "message": f"{message} (%LOCAL_REPLY_BODY%)" if with_body else message,
            },
            "content_type": "application/json",
        },
    }


def trace_id_filter() -> dict[str, Any]:
    """`X-Trace-Id` on Envoy's own replies too (a service's answer has its own already): the
    trace Envoy started for the request. Without Envoy tracing there is none to name."""
    trace_id = set_header(TRACE_ID_HEADER, "%TRACE_ID%", "ADD_IF_ABSENT")
    return header_mutation("smartbank.trace_id", response=[trace_id])


def header_mutation(
    name: str,
    request: list[dict[str, Any]] | None = None,
    response: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    mutations = {"request_mutations": request or [], "response_mutations": response or []}
    return {
        "name": name,
        "typed_config": {"@type": f"type.googleapis.com/{HEADER_MUTATION}", "mutations": mutations},
    }


def set_header(key: str, value: str, action: str = "OVERWRITE_IF_EXISTS_OR_ADD") -> dict[str, Any]:
    return {"append": {"header": {"key": key, "value": value}, "append_action": action}}
