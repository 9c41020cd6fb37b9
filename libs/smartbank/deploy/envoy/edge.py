"""Envoy's edge listeners: the public API (→ api, `/oauth2/` → auth) and the card network
(→ card-api).

An edge serves its contract's paths (API.md sections 1 and 2) and nothing else: health,
metrics and documentation stay on the services' own ports and the mesh (where the launcher,
Kubernetes and Prometheus reach them), and any other path is a JSON 404 from Envoy. Every
request is stamped with the time the edge received it (a client's own value is overwritten),
so services count deadlines from arrival at the edge.

The card network's deadline is enforced here too. Each message's timeout at the edge is its
own deadline: `X-Network-Deadline-Ms` when the network sends one, longer or shorter than the
2 s default alike (card-api refuses more than 60 s, or a value that is not a positive number,
as malformed at once; Envoy ignores one that is not a number), else the default, which the edge
then passes on so card-api counts the same deadline. card-api answers a margin before it; when
it cannot (hung, or more messages at once than it may have), the edge answers 91 itself, in
the message's own shape, just before the deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartbank.context import ARRIVED_AT_MS, BUDGET_MS
from smartbank.deploy.envoy.listeners import (
    INTERNAL_ONLY_HEADERS,
    NOBODY,
    connection_manager,
    decorator,
    listener,
    stdout_access_log,
)
from smartbank.deploy.envoy.replies import (
    edge_local_replies,
    header_mutation,
    not_found_reply,
    set_header,
    stand_in_replies,
    trace_id_filter,
)

# A backstop only: api enforces the caller's deadline itself.
EDGE_TIMEOUT = "30s"

NETWORK_DEADLINE_MS = 2000  # API.md section 2; card-api's NETWORK_DEADLINE_MS must agree
DEADLINE_HEADER = "x-network-deadline-ms"
ENVOY_TIMEOUT_HEADER = "x-envoy-upstream-rq-timeout-ms"
# The edge answers this much before the deadline (a tenth of one under 500 ms): on a loaded
# machine its own timer fires late (tens of ms on two busy cores), and the answer must still
# leave in time. card-api's margin (ANSWER_MARGIN_MS) must be larger, so it answers first.
EDGE_EARLY_MS = 50
EARLY_BELOW_MS = 500
BUDGET_SLACK_MS = 1000

# The public API as API.md section 1 and the api's OpenAPI document list it; `{}` is one segment.
PUBLIC_API_PATHS = (
    "/oauth2/token",
    "/oauth2/logout",
    "/oauth2/authorize",
    "/oauth2/authorize/link",
    "/ping/whoami",
    "/accounts",
    "/balance",
    "/transactions",
    "/transactions/{}",
    "/feed",
    "/webhooks",
    "/webhooks/{}",
    "/pots",
    "/pots/{}/deposit",
    "/pots/{}/withdraw",
    "/card/list",
    "/card/toggle",
    "/openapi.json",
)
# The card network's messages, each with the key its answer's verdict goes under.
CARD_NETWORK_PATHS = {
    "/network/v1/authorisations": "approved",
    "/network/v1/reversals": "accepted",
    "/network/v1/presentments": "accepted",
}


def edge_listener(
    name: str,
    service: str,
    *,
    host: str,
    port: int,
    tracing: Mapping[str, Any] | None,
    prefixes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`prefixes` maps a path prefix to the service that answers it instead of `service`."""
    network = service == "card-api"
    if network:
        routes = card_network_routes(name, service)
    else:
        routes = public_routes(name, service, prefixes or {})
    manager = connection_manager(
        name, edge_route_config(name, service, routes), internal=NOBODY, tracing=tracing
    )
    manager["normalize_path"] = True
    manager["merge_slashes"] = True
    manager["access_log"] = [stdout_access_log()]
    replies = stand_in_replies(CARD_NETWORK_PATHS) if network else []
    manager["local_reply_config"] = edge_local_replies([not_found_reply(), *replies])
    filters = [deadline_filter()] if network else []
    manager["http_filters"] = [*filters, trace_id_filter(), *manager["http_filters"]]
    return listener(name, host, port, manager)


def edge_route_config(name: str, service: str, routes: list[dict[str, Any]]) -> dict[str, Any]:
    """Only `routes` (anything else is Envoy's 404), every request stamped with its arrival."""
    host = {
        "name": service,
        "domains": ["*"],
        "routes": routes,
        "request_headers_to_add": [arrival_stamp()],
    }
    return {"name": name, "internal_only_headers": INTERNAL_ONLY_HEADERS, "virtual_hosts": [host]}


def public_routes(name: str, service: str, prefixes: Mapping[str, str]) -> list[dict[str, Any]]:
    """The public API's paths, each to the service its prefix names (`service` otherwise)."""
    if service != "api":  # an edge without a path list of its own (tests) forwards everything
        return [edge_route(f"{name}.default", {"prefix": "/"}, service, EDGE_TIMEOUT)]
    routes = []
    for path in PUBLIC_API_PATHS:
        target = next((t for p, t in prefixes.items() if path.startswith(p)), service)
        routes.append(edge_route(f"{name}.{path}", path_match(path), target, EDGE_TIMEOUT))
    return routes


def card_network_routes(name: str, service: str) -> list[dict[str, Any]]:
    """POST of the three network messages; the deadline filter sets each one's timeout."""
    post = [{"name": ":method", "string_match": {"exact": "POST"}}]
    timeout_ms = edge_timeout_ms(NETWORK_DEADLINE_MS)
    timeout = f"{timeout_ms // 1000}.{timeout_ms % 1000:03d}s"
    return [
        edge_route(f"{name}.{path}", {"path": path, "headers": post}, service, timeout)
        for path in CARD_NETWORK_PATHS
    ]


def path_match(path: str) -> dict[str, Any]:
    """An exact path, or a whole-path RE2 regex where `{}` stands for one segment."""
    if "{}" not in path:
        return {"path": path}
    return {"safe_regex": {"regex": path.replace("{}", "[^/]+")}}


def edge_route(name: str, match: dict[str, Any], cluster: str, timeout: str) -> dict[str, Any]:
    return {
        "name": name,
        "match": match,
        "route": {"cluster": cluster, "timeout": timeout},
        "decorator": decorator(f"edge {cluster}"),
    }


def arrival_stamp() -> dict[str, Any]:
    """When the edge received the request, as Unix milliseconds; a client's value is replaced."""
    return {
        "header": {"key": ARRIVED_AT_MS, "value": "%START_TIME(%s%3f)%"},
        "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
    }


def edge_timeout_ms(deadline_ms: int) -> int:
    """When the edge answers a message with this deadline itself (`deadline_expression`)."""
    early = deadline_ms // 10 if deadline_ms < EARLY_BELOW_MS else EDGE_EARLY_MS
    return deadline_ms - early


def deadline_expression() -> str:
    """`edge_timeout_ms` of the message's deadline header, in CEL for Envoy to evaluate."""
    deadline = f"int(request.headers['{DEADLINE_HEADER}'])"
    early = f"({deadline} < {EARLY_BELOW_MS} ? {deadline} / 10 : {EDGE_EARLY_MS})"
    return f"%CEL({deadline} - {early})%"


def budget_expression() -> str:
    """The message's deadline plus `BUDGET_SLACK_MS`, in CEL: card-api's call budget."""
    return f"%CEL(int(request.headers['{DEADLINE_HEADER}']) + {BUDGET_SLACK_MS})%"


def deadline_filter() -> dict[str, Any]:
    """The network's deadline as this request's upstream timeout (less `EDGE_EARLY_MS`), and
    passed on to card-api (the default when the network named none), so the edge and card-api
    count the same deadline.

    card-api's call budget follows the same deadline, BUDGET_SLACK_MS past it: without it
    card-api would count the platform's default budget (10 s) from arrival, and a message the
    network gave longer (up to 60 s) that queued past 10 s on a loaded stack was refused on
    arrival with a 504 instead of answered. The slack keeps card-api from refusing a message
    whose time is up before the edge has answered it 91 itself, in the message's shape; card-api
    answers by the network's deadline whatever its budget. A client's own budget header never
    gets this far (internal only).

    A deadline that is not a number leaves the route's timeout (card-api refuses it, 400)."""
    request = [
        set_header(DEADLINE_HEADER, str(NETWORK_DEADLINE_MS), "ADD_IF_ABSENT"),
        set_header(ENVOY_TIMEOUT_HEADER, deadline_expression()),
        set_header(BUDGET_MS, budget_expression()),
    ]
    return header_mutation("smartbank.network_deadline", request=request)
