"""Envoy listeners: the two edge ports and the mesh port every service calls through.

Edge and mesh differ in whom they trust. An edge request comes from outside: Envoy treats it
as external, so `x-envoy-*` controls (timeouts, retries) and our internal context headers sent
by a client are dropped. A mesh request comes from one of our services, on a private address:
Envoy treats it as internal and honours `x-envoy-upstream-rq-timeout-ms`, which the RPC client
sets to the caller's remaining deadline budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartbank.context import BUDGET_MS, CALLER, PRINCIPAL
from smartbank.envoy_clusters import socket_address
from smartbank.registry import ServiceSpec

# The RPC client marks calls that are safe to repeat with this header (smartbank.rpc.IDEMPOTENT).
IDEMPOTENT_HEADER = "x-smartbank-idempotent"

# Failures where the request certainly never reached the service's handler: safe to retry
# for an idempotent call, and cheap, since no work was done.
RETRY_POLICY: dict[str, Any] = {
    "retry_on": "connect-failure,refused-stream,reset-before-request",
    "num_retries": 2,
}

# A backstop only: api and card-api enforce the caller's deadline themselves (the card network
# may ask for more than the default 2 s with X-Network-Deadline-Ms) and answer before it.
EDGE_TIMEOUT = "30s"

# Headers only our own services may set; a client sending them to an edge port is ignored.
INTERNAL_ONLY_HEADERS = [PRINCIPAL, CALLER, BUDGET_MS, IDEMPOTENT_HEADER]

# Which peers count as internal. Mesh: loopback and private networks (services on this host or
# in the cluster's pod network). Edge: nobody, so every edge request is external. An empty list
# would not do: Envoy 1.40 then falls back to its defaults, which count loopback as internal.
PRIVATE_NETWORKS = [
    ("127.0.0.0", 8),
    ("10.0.0.0", 8),
    ("172.16.0.0", 12),
    ("192.168.0.0", 16),
    ("::1", 128),
    ("fc00::", 7),
]
NOBODY = [("0.0.0.0", 32)]  # the unspecified address: never a peer

HCM = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
ROUTER = "envoy.extensions.filters.http.router.v3.Router"
STDOUT_LOG = "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog"


def duration(ms: int) -> str:
    """Milliseconds as a protobuf Duration string (`2000` → `"2.000s"`)."""
    seconds, millis = divmod(ms, 1000)
    return f"{seconds}.{millis:03d}s"


def mesh_virtual_host(spec: ServiceSpec, mesh_port: int) -> dict[str, Any]:
    """Routes for one service, chosen by Host; only calls marked idempotent are retried."""
    timeout = duration(spec.timeout_ms)
    idempotent = {"name": IDEMPOTENT_HEADER, "string_match": {"exact": "true"}}
    span = decorator(f"mesh {spec.name}")
    return {
        "name": spec.name,
        "domains": [spec.name, f"{spec.name}:{mesh_port}"],
        "routes": [
            {
                "name": f"{spec.name}.idempotent",
                "match": {"prefix": "/", "headers": [idempotent]},
                "route": {"cluster": spec.name, "timeout": timeout, "retry_policy": RETRY_POLICY},
                "decorator": span,
            },
            {
                "name": f"{spec.name}.default",
                "match": {"prefix": "/"},
                "route": {"cluster": spec.name, "timeout": timeout},
                "decorator": span,
            },
        ],
    }


def mesh_listener(
    services: tuple[ServiceSpec, ...],
    *,
    host: str,
    port: int,
    tracing: Mapping[str, Any] | None,
    access_log: bool,
) -> dict[str, Any]:
    routes = {
        "name": "mesh",
        "virtual_hosts": [mesh_virtual_host(s, port) for s in services],
    }
    manager = connection_manager("mesh", routes, internal=PRIVATE_NETWORKS, tracing=tracing)
    if access_log:
        manager["access_log"] = [stdout_access_log()]
    return listener("mesh", host, port, manager)


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
    targets = [*(prefixes or {}).items(), ("/", service)]
    routes = {
        "name": name,
        "internal_only_headers": INTERNAL_ONLY_HEADERS,
        "virtual_hosts": [
            {
                "name": service,
                "domains": ["*"],
                "routes": [
                    {
                        "name": f"{name}.{'default' if prefix == '/' else target}",
                        "match": {"prefix": prefix},
                        "route": {"cluster": target, "timeout": EDGE_TIMEOUT},
                        "decorator": decorator(f"edge {target}"),
                    }
                    for prefix, target in targets
                ],
            }
        ],
    }
    manager = connection_manager(name, routes, internal=NOBODY, tracing=tracing)
    manager["normalize_path"] = True
    manager["merge_slashes"] = True
    manager["access_log"] = [stdout_access_log()]
    manager["local_reply_config"] = edge_local_replies()
    return listener(name, host, port, manager)


def edge_local_replies() -> dict[str, Any]:
    """What an edge answers itself (the service behind it is down, resets, or is too slow, or the
    request is not valid HTTP) in the error format of API.md: JSON with a code and a message,
    and only the statuses the contract lists. Answers from the services pass through untouched:
    this applies to Envoy's own replies only. They lack X-Trace-Id: Envoy 1.40 offers the trace
    id to a local reply only inside `traceparent` (`%TRACE_ID%` is empty there, and its CEL has
    no substring), and the contract's header is the bare id."""
    return {
        "mappers": [
            local_reply(("EQ", 504), 504, "timeout.upstream", "the service did not answer in time"),
            local_reply(
                ("GE", 500), 500, "internal_service.unavailable", "the service is unavailable"
            ),
            local_reply(("GE", 400), 400, "bad_request.http", "the request is not valid HTTP"),
        ]
    }


def local_reply(when: tuple[str, int], status: int, code: str, message: str) -> dict[str, Any]:
    op, value = when
    comparison = {
        "op": op,
        "value": {"default_value": value, "runtime_key": f"smartbank.local_reply.{op}{value}"},
    }
    return {
        "filter": {"status_code_filter": {"comparison": comparison}},
        "status_code": status,
        "body_format_override": {
            "json_format": {"code": code, "message": f"{message} (%LOCAL_REPLY_BODY%)"},
            "content_type": "application/json",
        },
    }


def decorator(operation: str) -> dict[str, Any]:
    """Names Envoy's span for the hop (instead of "ingress"); not sent on to the service."""
    return {"operation": operation, "propagate": False}


def connection_manager(
    stat_prefix: str,
    route_config: dict[str, Any],
    *,
    internal: list[tuple[str, int]],
    tracing: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """An HTTP connection manager that decides internal/external by the peer's own address."""
    manager: dict[str, Any] = {
        "@type": f"type.googleapis.com/{HCM}",
        "stat_prefix": stat_prefix,
        "codec_type": "AUTO",
        "use_remote_address": True,
        "internal_address_config": {
            "cidr_ranges": [{"address_prefix": a, "prefix_len": n} for a, n in internal]
        },
        "generate_request_id": True,
        "route_config": route_config,
        "http_filters": [
            {
                "name": "envoy.filters.http.router",
                "typed_config": {"@type": f"type.googleapis.com/{ROUTER}"},
            }
        ],
    }
    if tracing is not None:
        manager["tracing"] = dict(tracing)
    return manager


def listener(name: str, host: str, port: int, manager: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "address": socket_address(host, port),
        "filter_chains": [
            {
                "filters": [
                    {
                        "name": "envoy.filters.network.http_connection_manager",
                        "typed_config": manager,
                    }
                ]
            }
        ],
    }


def stdout_access_log() -> dict[str, Any]:
    return {
        "name": "envoy.access_loggers.stdout",
        "typed_config": {"@type": f"type.googleapis.com/{STDOUT_LOG}"},
    }


def tracing(
    collector_cluster: str, host: str, port: int, sampling_percent: float = 100.0
) -> dict[str, Any]:
    """Envoy's own spans, joined to the caller's W3C trace and sent over OTLP/HTTP. A request
    with no trace yet (at the edge) is sampled at `sampling_percent`."""
    return {
        "random_sampling": {"value": sampling_percent},
        "provider": {
            "name": "envoy.tracers.opentelemetry",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig",
                "service_name": "envoy",
                "http_service": {
                    "http_uri": {
                        "uri": f"http://{host}:{port}/v1/traces",
                        "cluster": collector_cluster,
                        "timeout": "1s",
                    }
                },
            },
        },
    }
