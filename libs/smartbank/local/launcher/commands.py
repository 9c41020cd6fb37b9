"""The command line and environment of every process in the local stack.

Kept apart from the process handling so the whole recipe for running the stack by hand can be
read in one screen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from smartbank.deploy.envoy import bootstrap as envoy
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.ports import HOST, StackPorts
from smartbank.registry import PUSH_SINK_MODULE, TRACE_SINK_MODULE, ServiceSpec

SERVE_MODULE = "smartbank.serve"
SINK_MODULE = TRACE_SINK_MODULE

# Tansu reads these from its environment too; a value meant for our services (an OTLP endpoint
# for Python exporters) must not reconfigure the broker.
BROKER_IGNORES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "SCHEMA_REGISTRY", "CLUSTER_ID", "STORAGE_ENGINE")


def broker_argv(tansu: Path, ports: StackPorts) -> list[str]:
    url = f"tcp://{HOST}:{ports.kafka}"
    return [
        str(tansu),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]


def broker_env(parent: Mapping[str, str] = os.environ) -> dict[str, str]:
    return {k: v for k, v in parent.items() if k not in BROKER_IGNORES}


def sink_argv(
    layout: Layout,
    ports: StackPorts,
    module: str = SINK_MODULE,
    parent: Mapping[str, str] = os.environ,
) -> list[str]:
    """The trace sink; it also forwards to the user's own collector when one is configured
    (the services' endpoint is the sink itself, so that spans land in the files either way)."""
    argv = [
        sys.executable,
        "-m",
        module,
        "--port",
        str(ports.trace_sink),
        "--dir",
        str(layout.traces),
    ]
    if parent.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        argv += ["--forward", parent["OTEL_EXPORTER_OTLP_ENDPOINT"]]
    return argv


def push_sink_argv(layout: Layout, ports: StackPorts) -> list[str]:
    """The stand-in for Apple's push service that the local apns sends to."""
    return [
        sys.executable,
        "-m",
        PUSH_SINK_MODULE,
        "--port",
        str(ports.push_sink),
        "--file",
        str(layout.pushes),
    ]


def envoy_config(ports: StackPorts, trace_sampling: float = 1.0) -> dict[str, Any]:
    """The proxy config for the local stack: every registry service, on loopback."""
    return envoy.render(
        trace_sampling=trace_sampling,
        upstream=envoy.local_upstream,
        listen_host=HOST,
        otlp_endpoint=(HOST, ports.trace_sink),
        admin_port=ports.envoy_admin,
        mesh_port=ports.mesh,
        edges=ports.edges,
    )


def envoy_argv(envoy: Path, layout: Layout) -> list[str]:
    # A dynamic base id lets this Envoy start beside any other (a leftover, another stack):
    # without it two Envoys on one host fight over the same shared-memory region.
    return [
        str(envoy),
        "-c",
        str(layout.envoy_config),
        "--log-level",
        "warn",
        "--use-dynamic-base-id",
    ]


def python_env(parent: Mapping[str, str] = os.environ) -> dict[str, str]:
    return {**parent, "PYTHONUNBUFFERED": "1"}


def service_argv(spec: ServiceSpec, module: str = SERVE_MODULE) -> list[str]:
    return [sys.executable, "-m", module, spec.name]


def service_env(
    spec: ServiceSpec,
    *,
    layout: Layout,
    ports: StackPorts,
    rpc_mode: str,
    extra: Mapping[str, str],
    parent: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """The parent's environment, then the stack's wiring, then the caller's `extra`.

    Local defaults that are not wiring (webhooks to private addresses) yield to the parent."""
    return {
        **python_env(parent),
        "SERVICE_NAME": spec.name,
        "PORT": str(spec.port),
        "HOST": HOST,
        "DATA_DIR": str(layout.db),
        "RPC_MODE": rpc_mode,
        "MESH_URL": f"http://{HOST}:{ports.mesh}",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{HOST}:{ports.trace_sink}",
        "KAFKA_BOOTSTRAP": f"{HOST}:{ports.kafka}",
        "APNS_ENDPOINT": f"http://{HOST}:{ports.push_sink}",
        # Locally, webhooks may go to 127.0.0.1 so people can try them with a local receiver,
        # unless the caller says otherwise (to try the guard against private addresses).
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": parent.get("WEBHOOK_ALLOW_PRIVATE_ADDRESSES") or "true",
        # Locally, the OAuth login page lets you pick a seeded customer instead of emailing one.
        "AUTH_LOGIN_MODE": "choose",
        **extra,
    }
