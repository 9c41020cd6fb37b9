"""The Envoy bootstrap, generated from the service registry.

One function turns the registry into a complete static bootstrap: the admin port, an edge
listener per public-facing port, the mesh listener every service calls through (one virtual
host per service, picked by the Host header) and a cluster per service. The local launcher
and the Kubernetes manifests both render it; only `upstream` (where a service's instances
are) differs, so routes, timeouts and retries cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from smartbank.deploy.envoy.clusters import cluster, socket_address
from smartbank.deploy.envoy.edge import edge_listener
from smartbank.deploy.envoy.listeners import mesh_listener, tracing
from smartbank.registry import (
    BY_NAME,
    EDGE_PREFIXES,
    EDGES,
    ENVOY_ADMIN_PORT,
    MESH_PORT,
    SERVICES,
    ServiceSpec,
)

Upstream = Callable[[ServiceSpec], tuple[str, int]]

OTEL_CLUSTER = "otel_collector"

# Listener names by edge service, so dashboards and stats keep stable names.
EDGE_LISTENER_NAMES = {"api": "edge_public_api", "card-api": "edge_card_network"}

# Without a limit Envoy warns at every start; this one is far above anything local.
MAX_DOWNSTREAM_CONNECTIONS = 50000

# Envoy's OpenTelemetry tracer exports every 5 spans by default: one HTTP request to the
# collector per authorisation. Batching like the services' SDK (a second, or 512 spans) cuts
# Envoy's and the collector's cost per span several times over.
SPAN_FLUSH_RUNTIME = {
    "tracing.opentelemetry.min_flush_spans": 512,
    "tracing.opentelemetry.flush_interval_ms": 1000,
}


def local_upstream(spec: ServiceSpec) -> tuple[str, int]:
    """Where a service listens in the local stack: loopback, its registry port."""
    return ("127.0.0.1", spec.port)


def render(
    services: tuple[ServiceSpec, ...] = SERVICES,
    *,
    upstream: Upstream,
    listen_host: str = "127.0.0.1",
    otlp_endpoint: tuple[str, int] | None,
    admin_port: int = ENVOY_ADMIN_PORT,
    mesh_port: int = MESH_PORT,
    edges: Mapping[int, str] = EDGES,
    mesh_access_log: bool = False,
    trace_sampling: float = 1.0,
    mesh: bool = True,
    admin_host: str | None = None,
    trace_name: str = "envoy",
) -> dict[str, Any]:
    """The bootstrap as a dict (write it with `write`).

    `upstream` maps a service to (host, port): an IP gives a STATIC cluster, a name a
    STRICT_DNS one. Without `otlp_endpoint` Envoy makes no spans of its own and passes the
    caller's `traceparent` through untouched, so the services' trace stays whole.
    """
    names = {s.name for s in services}
    unknown = sorted(set(edges.values()) - names)
    if unknown:
        raise ValueError(f"edge listeners point at services not rendered: {', '.join(unknown)}")
    trace = (
        tracing(OTEL_CLUSTER, *otlp_endpoint, trace_sampling * 100, trace_name)
        if otlp_endpoint
        else None
    )
    listeners = [
        edge_listener(
            edge_listener_name(service),
            service,
            host=listen_host,
            port=port,
            tracing=trace,
            prefixes={p: t for p, t in EDGE_PREFIXES.get(service, {}).items() if t in names},
        )
        for port, service in edges.items()
    ]
    if mesh:
        listeners.append(
            mesh_listener(
                services,
                host=listen_host,
                port=mesh_port,
                tracing=trace,
                access_log=mesh_access_log,
            )
        )
    clusters = [cluster(s.name, *upstream(s)) for s in services]
    bootstrap: dict[str, Any] = {
        "node": {"id": "smartbank-envoy", "cluster": "smartbank"},
        "admin": {"address": socket_address(admin_host or listen_host, admin_port)},
        "static_resources": {"listeners": listeners, "clusters": clusters},
        "overload_manager": overload_manager(),
    }
    if otlp_endpoint:
        clusters.append(cluster(OTEL_CLUSTER, *otlp_endpoint))
        bootstrap["layered_runtime"] = {
            "layers": [{"name": "span_batching", "static_layer": SPAN_FLUSH_RUNTIME}]
        }
    return bootstrap


def cluster_upstream(spec: ServiceSpec) -> tuple[str, int]:
    """Where a service is in Kubernetes: its headless Service's name (every pod's address, so
    Envoy balances and ejects per pod), on its registry port."""
    return (spec.name, spec.port)


def render_sidecar(
    spec: ServiceSpec, *, otlp_endpoint: tuple[str, int] | None, trace_sampling: float = 1.0
) -> dict[str, Any]:
    """The Envoy beside one service in Kubernetes: the mesh listener on the pod's loopback,
    with routes to exactly the services it calls. Admin listens on the pod address for
    Prometheus (a NetworkPolicy lets nobody else reach it)."""
    callees = tuple(BY_NAME[name] for name in spec.calls)
    return render(
        callees,
        upstream=cluster_upstream,
        listen_host="127.0.0.1",
        admin_host="0.0.0.0",
        otlp_endpoint=otlp_endpoint,
        edges={},
        trace_sampling=trace_sampling,
        trace_name=f"{spec.name}-proxy",
    )


def render_edge(
    *, otlp_endpoint: tuple[str, int] | None, trace_sampling: float = 1.0
) -> dict[str, Any]:
    """The edge Envoy in Kubernetes: the public listeners only, to the services behind them."""
    names = set(EDGES.values()) | {t for p in EDGE_PREFIXES.values() for t in p.values()}
    return render(
        tuple(s for s in SERVICES if s.name in names),
        upstream=cluster_upstream,
        listen_host="0.0.0.0",
        otlp_endpoint=otlp_endpoint,
        trace_sampling=trace_sampling,
        mesh=False,
        trace_name="edge",
    )


def edge_listener_name(service: str) -> str:
    return EDGE_LISTENER_NAMES.get(service, f"edge_{service.replace('-', '_')}")


def overload_manager() -> dict[str, Any]:
    monitor = (
        "envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig"
    )
    return {
        "resource_monitors": [
            {
                "name": "envoy.resource_monitors.global_downstream_max_connections",
                "typed_config": {
                    "@type": f"type.googleapis.com/{monitor}",
                    "max_active_downstream_connections": MAX_DOWNSTREAM_CONNECTIONS,
                },
            }
        ]
    }


class _Dumper(yaml.SafeDumper):
    """Spells shared values out in full: YAML anchors make the file hard to read."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write(path: Path, config: Mapping[str, Any]) -> Path:
    """Write the bootstrap as YAML (in the registry's order, so diffs stay readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(dict(config), Dumper=_Dumper, sort_keys=False, width=100)
    path.write_text(
        "# Generated by smartbank.deploy.envoy.bootstrap from the service registry; do not edit.\n"
        + text
    )
    return path
