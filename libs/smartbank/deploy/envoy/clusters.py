"""Envoy clusters: how the proxy talks to one upstream (a service, or the trace collector).

Every cluster gets the same resilience settings, so the mesh behaves the same whichever
service is called. The numbers are chosen for the local stack and the cluster alike; each
says why next to it.
"""

from __future__ import annotations

import ipaddress
from typing import Any

CONNECT_TIMEOUT = "0.25s"

# Upstream keep-alive: Envoy must close an idle connection before the server does, or a
# request can race the server's close and fail with "connection termination". uvicorn
# closes idle connections after 5 s (its default `timeout_keep_alive`), so Envoy lets go at 4 s.
UPSTREAM_IDLE_TIMEOUT = "4s"

# Ejecting a host that keeps failing lets the others take its traffic while it recovers.
# - 5 consecutive 5xx: one 500 is a bug in one request, five in a row is a sick instance.
# - 3 consecutive gateway failures (502/503/504, connect errors): a dead or hung instance
#   shows itself quickly, and every failure there costs a caller its deadline.
# - checked every 5 s, ejected for 15 s (growing with each repeat ejection), so a restarted
#   instance is back within seconds.
# - at most 50% of a cluster's hosts at once: ejection must never take a whole service away
#   because of a shared cause (a slow database). With one host per cluster (the local stack)
#   Envoy's panic threshold keeps sending to an ejected host anyway.
OUTLIER_DETECTION: dict[str, Any] = {
    "consecutive_5xx": 5,
    "consecutive_gateway_failure": 3,
    "interval": "5s",
    "base_ejection_time": "15s",
    "max_ejection_percent": 50,
}

# Envoy's defaults (1024 connections / pending / requests, 3 concurrent retries) are close to
# what a load test reaches: 200 req/s at ~50 ms each is only ~10 in flight, but a slow
# dependency multiplies that by its latency, and a breaker that trips turns slowness into
# errors. These limits only exist to stop a runaway, not to shape normal load.
CIRCUIT_BREAKERS: dict[str, Any] = {
    "thresholds": [
        {
            "priority": "DEFAULT",
            "max_connections": 10000,
            "max_pending_requests": 10000,
            "max_requests": 10000,
            "max_retries": 1000,
        }
    ]
}

# The card network's edge service gets limits that mean something: (connections, waiting).
# card-api reads every message it gets, if only to refuse it, and under a burst of hundreds at
# once merely reading them takes it past the deadline. So it gets at most twice as many at once
# as it decides (its MAX_IN_FLIGHT, 32); the rest wait at the edge, where waiting costs
# nothing, each until its own deadline (the edge then answers 91 itself): a message allowed
# 30 s waits its turn. Beyond that many waiting, the edge answers 91 at once (overflow). Per
# edge Envoy, for all card-api instances together.
EDGE_LIMITS: dict[str, tuple[int, int]] = {"card-api": (64, 256)}


def circuit_breakers(connections: int, waiting: int) -> dict[str, Any]:
    """At most `connections` requests in the service at once (one per HTTP/1.1 connection) and
    `waiting` more queued for a connection; requests themselves are not limited beyond that."""
    limits = {
        "max_connections": connections,
        "max_pending_requests": waiting,
        "max_requests": connections + waiting,
        "max_retries": 3,
    }
    return {"thresholds": [{"priority": "DEFAULT", **limits}]}


HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"


def discovery_type(host: str) -> str:
    """STATIC for an IP literal, STRICT_DNS for a name (a Kubernetes Service, say)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "STRICT_DNS"
    return "STATIC"


def socket_address(host: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": host, "port_value": port}}


def cluster(name: str, host: str, port: int) -> dict[str, Any]:
    """One upstream reached over HTTP/1.1 with keep-alive, least-request balanced."""
    limit = EDGE_LIMITS.get(name)
    return {
        "name": name,
        "type": discovery_type(host),
        "connect_timeout": CONNECT_TIMEOUT,
        "lb_policy": "LEAST_REQUEST",
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [
                {"lb_endpoints": [{"endpoint": {"address": socket_address(host, port)}}]}
            ],
        },
        "typed_extension_protocol_options": {
            HTTP_PROTOCOL_OPTIONS: {
                "@type": f"type.googleapis.com/{HTTP_PROTOCOL_OPTIONS}",
                "common_http_protocol_options": {"idle_timeout": UPSTREAM_IDLE_TIMEOUT},
                "explicit_http_config": {"http_protocol_options": {}},
            }
        },
        "circuit_breakers": CIRCUIT_BREAKERS if limit is None else circuit_breakers(*limit),
        "outlier_detection": OUTLIER_DETECTION,
    }
