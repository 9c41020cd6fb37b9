"""Envoy listeners: the mesh port every service calls through, and what the edge ports
(envoy_edge.py) share with it.

Edge and mesh differ in whom they trust. An edge request comes from outside: Envoy treats it
as external, so `x-envoy-*` controls (timeouts, retries) and our internal context headers sent
by a client are dropped. A mesh request comes from one of our services, on a private address:
Envoy treats it as internal and honours `x-envoy-upstream-rq-timeout-ms`, which the RPC client
sets to the caller's remaining deadline budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartbank.context import ARRIVED_AT_MS, BUDGET_MS, CALLER, DEADLINE_AT_MS, PRINCIPAL
from smartbank.deploy.envoy.clusters import socket_address
from smartbank.registry import ServiceSpec

# The RPC client marks calls that are safe to repeat with this header (smartbank.rpc.IDEMPOTENT).
IDEMPOTENT_HEADER = "x-smartbank-idempotent"

# Failures where the request certainly never reached the service's handler: safe to retry
# for an idempotent call, and cheap, since no work was done.
RETRY_POLICY: dict[str, Any] = {
    "retry_on": "connect-failure,refused-stream,reset-before-request",
    "num_retries": 2,
}

# Headers only our own services may set; a client sending them to an edge port is ignored.
INTERNAL_ONLY_HEADERS = [
    PRINCIPAL,
    CALLER,
    BUDGET_MS,
    DEADLINE_AT_MS,
    ARRIVED_AT_MS,
    IDEMPOTENT_HEADER,
]

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
    collector_cluster: str,
    host: str,
    port: int,
    sampling_percent: float = 100.0,
    service_name: str = "envoy",
) -> dict[str, Any]:
    """Envoy's own spans, joined to the caller's W3C trace and sent over OTLP/HTTP, as
    `service_name` (in a cluster each Envoy is named for its role). A request with no trace yet
    (at the edge) is sampled at `sampling_percent`."""
    return {
        "random_sampling": {"value": sampling_percent},
        "provider": {
            "name": "envoy.tracers.opentelemetry",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig",
                "service_name": service_name,
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
