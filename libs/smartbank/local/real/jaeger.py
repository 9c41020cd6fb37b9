"""Jaeger v2 from the cache: OTLP/HTTP in, traces kept in memory, the query API out.

The config is the cluster's (deploy/k8s/base/infra/jaeger/config.yaml) bound to 127.0.0.1 on
ports the caller chooses, so tests can run beside a stack. The Go module has no web UI assets;
the query API (`/api/services`, `/api/traces/{id}`) is what the command line reads, and a
request for the UI's root answers 404 instead of a page.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from smartbank.local.real import parts
from smartbank.local.real.process import Launch, Running, free_port, listening, started

OTLP_HTTP_PORT = 4318
QUERY_PORT = 16686
QUERY_GRPC_PORT = 16685


@dataclass(frozen=True)
class Ports:
    otlp_http: int = OTLP_HTTP_PORT
    query: int = QUERY_PORT
    query_grpc: int = QUERY_GRPC_PORT

    @staticmethod
    def free() -> Ports:
        return Ports(free_port(), free_port(), free_port())


def config(ports: Ports, max_traces: int = 5000) -> dict[str, Any]:
    store = "memstore"
    return {
        "service": {
            "extensions": ["jaeger_storage", "jaeger_query"],
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"],
                    "processors": ["batch"],
                    "exporters": ["jaeger_storage_exporter"],
                }
            },
            "telemetry": {"metrics": {"level": "none"}, "logs": {"level": "info"}},
        },
        "extensions": {
            "jaeger_storage": {"backends": {store: {"memory": {"max_traces": max_traces}}}},
            "jaeger_query": {
                "storage": {"traces": store},
                "http": {"endpoint": f"127.0.0.1:{ports.query}"},
                "grpc": {"endpoint": f"127.0.0.1:{ports.query_grpc}"},
                # On by default in v2: the query service's own spans, sent over OTLP/gRPC to
                # 127.0.0.1:4317, which here is nobody or, worse, somebody else's collector.
                "enable_tracing": False,
            },
        },
        "receivers": {
            "otlp": {"protocols": {"http": {"endpoint": f"127.0.0.1:{ports.otlp_http}"}}}
        },
        "processors": {"batch": {}},
        "exporters": {"jaeger_storage_exporter": {"trace_storage": store}},
    }


def write_config(data_dir: Path, ports: Ports) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "jaeger.yaml"
    path.write_text(yaml.safe_dump(config(ports)))
    return path


def binary() -> Path:
    return parts.jaeger().require() / "bin" / "jaeger"


def launch(data_dir: Path, ports: Ports) -> Launch:
    argv = [str(binary()), "--config", str(write_config(data_dir, ports))]
    query = f"http://127.0.0.1:{ports.query}"
    return Launch("jaeger", argv, data_dir / "jaeger.log", address=query)


def get_json(url: str, timeout: float = 5.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def ready(query_url: str, otlp_port: int) -> bool:
    """Whether the query API answers `GET /api/services` and the OTLP receiver listens."""
    if not listening(otlp_port):
        return False
    try:
        return "data" in get_json(f"{query_url}/api/services", timeout=2.0)
    except (OSError, ValueError):
        return False


@dataclass
class RunningJaeger:
    running: Running
    ports: Ports

    @property
    def otlp_endpoint(self) -> str:
        """What OTEL_EXPORTER_OTLP_ENDPOINT names (the exporter adds /v1/traces)."""
        return f"http://127.0.0.1:{self.ports.otlp_http}"

    @property
    def query_url(self) -> str:
        return self.running.launch.address


@contextmanager
def running_jaeger(
    data_dir: Path, ports: Ports | None = None, timeout: float = 30.0
) -> Iterator[RunningJaeger]:
    """Jaeger on `ports` (free ones if None), answering; stopped when the block ends."""
    chosen = ports or Ports.free()
    how = launch(data_dir, chosen)
    with started(how, lambda: ready(how.address, chosen.otlp_http), timeout) as running:
        yield RunningJaeger(running, chosen)
