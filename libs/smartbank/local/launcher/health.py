"""Is each part of the local stack ready? Asked over the network, the way a client would.

`smartbank status`, `smartbank up --detach` and `Stack.wait_ready` all use these probes, so
"ready" means the same everywhere: a service answers 200 on /readyz, Envoy's admin answers
200 on /ready, the broker and the trace sink accept TCP connections (with `--infra real`:
Kafka and Cassandra accept them, Jaeger's query API answers 200).
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from smartbank.local.launcher.ports import HOST, StackPorts
from smartbank.registry import SERVICES, ServiceSpec

PROBE_TIMEOUT = 1.0


@dataclass(frozen=True)
class Component:
    """Something to probe: `url` is http://…/readyz-like, or tcp://host:port."""

    name: str
    kind: str
    url: str


@dataclass(frozen=True)
class Health:
    component: Component
    ready: bool
    detail: str

    def as_json(self) -> dict[str, Any]:
        c = self.component
        return {
            "name": c.name,
            "kind": c.kind,
            "url": c.url,
            "ready": self.ready,
            "detail": self.detail,
        }


def broker(ports: StackPorts = StackPorts()) -> Component:
    return Component("kafka", "broker", f"tcp://{HOST}:{ports.kafka}")


def trace_sink(ports: StackPorts = StackPorts()) -> Component:
    return Component("trace-sink", "telemetry", f"tcp://{HOST}:{ports.trace_sink}")


def cassandra(ports: StackPorts = StackPorts()) -> Component:
    return Component("cassandra", "storage", f"tcp://{HOST}:{ports.cassandra}")


def jaeger(ports: StackPorts = StackPorts()) -> Component:
    """Ready once its query API answers (its OTLP receiver opens in the same breath)."""
    return Component("jaeger", "telemetry", f"http://{HOST}:{ports.jaeger_query}/api/services")


def push_sink(ports: StackPorts = StackPorts()) -> Component:
    return Component("push-sink", "telemetry", f"tcp://{HOST}:{ports.push_sink}")


def envoy(ports: StackPorts = StackPorts()) -> Component:
    return Component("envoy", "proxy", f"http://{HOST}:{ports.envoy_admin}/ready")


def service(spec: ServiceSpec) -> Component:
    return Component(spec.name, "service", f"http://{HOST}:{spec.port}/readyz")


def stack_components(
    services: Iterable[ServiceSpec] = SERVICES,
    *,
    ports: StackPorts = StackPorts(),
    with_envoy: bool = True,
    infra: str = "embedded",
) -> list[Component]:
    """The components of a stack, infrastructure first, in start order."""
    beneath = [cassandra(ports), broker(ports), jaeger(ports)] if infra == "real" else []
    beneath = beneath or [broker(ports), trace_sink(ports)]
    proxy = [envoy(ports)] if with_envoy else []
    return [*beneath, push_sink(ports), *proxy, *(service(s) for s in services)]


def probe(component: Component, timeout: float = PROBE_TIMEOUT) -> Health:
    if component.url.startswith("tcp://"):
        return _probe_tcp(component, timeout)
    return _probe_http(component, timeout)


def probe_all(components: Sequence[Component], timeout: float = PROBE_TIMEOUT) -> list[Health]:
    """Probe concurrently, so one hung component costs one timeout, not one each."""
    if not components:
        return []
    with ThreadPoolExecutor(max_workers=min(16, len(components))) as pool:
        return list(pool.map(lambda c: probe(c, timeout), components))


def _probe_tcp(component: Component, timeout: float) -> Health:
    address = urlsplit(component.url)
    try:
        with socket.create_connection((address.hostname, address.port), timeout=timeout):
            return Health(component, True, "accepting connections")
    except OSError as exc:
        return Health(component, False, _os_error(exc))


def _probe_http(component: Component, timeout: float) -> Health:
    # The standard library's client: no proxy settings from the environment, no CA bundle to
    # load for a plain-HTTP loopback probe.
    address = urlsplit(component.url)
    connection = http.client.HTTPConnection(address.hostname or HOST, address.port, timeout=timeout)
    try:
        connection.request("GET", address.path or "/")
        response = connection.getresponse()
        status, body = response.status, response.read(65536)
    except OSError as exc:
        return Health(component, False, _os_error(exc))
    except http.client.HTTPException as exc:
        return Health(component, False, f"bad answer ({type(exc).__name__})")
    finally:
        connection.close()
    return Health(component, status == 200, summarize(status, body))


def summarize(status: int, body: bytes) -> str:
    """A one-line detail: per-dependency checks from a /readyz body, else the status."""
    try:
        document = json.loads(body)
    except ValueError:
        lines = body.decode("utf-8", "replace").strip().splitlines()
        return f"{status} {lines[0][:80]}" if lines else str(status)
    checks = document.get("checks") if isinstance(document, dict) else None
    if not isinstance(checks, dict) or not checks:
        return f"{status} {json.dumps(document)[:80]}"
    return ", ".join(f"{name} {_check(value)}" for name, value in checks.items())


def _check(value: Any) -> str:
    if not isinstance(value, dict):
        return str(value)
    verdict = "ok" if value.get("ok") else "FAILED"
    extra = value.get("error") or value.get("backend")
    return f"{verdict} ({extra})" if extra else verdict


def _os_error(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "not listening (connection refused)"
    if isinstance(exc, TimeoutError):
        return "no answer (timed out)"
    return exc.strerror or str(exc)
