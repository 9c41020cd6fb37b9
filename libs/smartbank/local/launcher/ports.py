"""The ports the local stack listens on, and checking they are all free before it starts.

A stack that starts half-way because port 9092 belongs to someone else's Kafka leaves a mess
and a confusing error in some log. So every port is checked up front, and a taken one is
reported with what needed it.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from smartbank.deploy.k8s.config import CASSANDRA_PORT
from smartbank.local.launcher.forwarding import FORWARDED_PORTS, PROC, skaffold_forwarding
from smartbank.local.real import jaeger
from smartbank.registry import (
    CARD_NETWORK_PORT,
    ENVOY_ADMIN_PORT,
    KAFKA_PORT,
    MESH_PORT,
    PUBLIC_API_PORT,
    PUSH_SINK_PORT,
    TRACE_SINK_PORT,
    ServiceSpec,
)

HOST = "127.0.0.1"


@dataclass(frozen=True)
class StackPorts:
    """The infrastructure ports (services keep their registry ports).

    Tests hand in free ports so they never clash with a stack someone is running. The last
    five are the real parts' own (`--infra real`); Jaeger takes OTLP on `trace_sink`, so
    whatever exports to the embedded trace sink reaches Jaeger instead, unchanged.
    """

    public_api: int = PUBLIC_API_PORT
    card_network: int = CARD_NETWORK_PORT
    mesh: int = MESH_PORT
    envoy_admin: int = ENVOY_ADMIN_PORT
    kafka: int = KAFKA_PORT
    trace_sink: int = TRACE_SINK_PORT
    push_sink: int = PUSH_SINK_PORT
    cassandra: int = CASSANDRA_PORT
    cassandra_storage: int = 7000
    kafka_controller: int = 9093
    jaeger_query: int = jaeger.QUERY_PORT
    jaeger_grpc: int = jaeger.QUERY_GRPC_PORT

    @property
    def edges(self) -> dict[int, str]:
        """Edge port → the service it forwards to (the registry's EDGES, on these ports)."""
        return {self.public_api: "api", self.card_network: "card-api"}


class PortsInUse(RuntimeError):
    """Ports the stack needs are taken; nothing was started. `skaffold`: the pid of a skaffold
    forwarding a cluster to this machine, named when it forwards some of the taken ports."""

    def __init__(self, taken: Mapping[int, str], skaffold: int | None = None) -> None:
        self.taken = dict(taken)
        self.skaffold = skaffold
        lines = [f"  {port}: needed by {what}" for port, what in sorted(taken.items())]
        super().__init__(
            "cannot start the stack, these ports are already in use:\n"
            + "\n".join(lines)
            + held_by_skaffold(taken, skaffold)
            + "\nstop whatever holds them (a detached stack: `smartbank down`) and try again"
        )


def held_by_skaffold(taken: Iterable[int], skaffold: int | None) -> str:
    """The refusal's line naming skaffold, when it runs and forwards some of the taken ports."""
    forwarded = sorted(FORWARDED_PORTS.intersection(taken))
    if skaffold is None or not forwarded:
        return ""
    return (
        f"\nskaffold (pid {skaffold}) is forwarding the cluster to {', '.join(map(str, forwarded))}"
        " (skaffold.yaml's portForward): stop it to run the local stack, or use the cluster"
    )


def required(
    services: Iterable[ServiceSpec],
    *,
    ports: StackPorts = StackPorts(),
    with_envoy: bool = True,
    infra: str = "embedded",
) -> dict[int, str]:
    """Every port the stack will listen on, with what needs it."""
    needed = infra_ports(ports, infra) | {
        ports.push_sink: "the push notification sink (local APNs)"
    }
    if with_envoy:
        needed |= {
            ports.public_api: "Envoy's public API listener (→ api)",
            ports.card_network: "Envoy's card network listener (→ card-api)",
            ports.mesh: "Envoy's mesh listener",
            ports.envoy_admin: "Envoy's admin interface",
        }
    needed |= {s.port: f"the {s.name} service" for s in services}
    return needed


def infra_ports(ports: StackPorts, infra: str) -> dict[int, str]:
    """What the infrastructure beneath the services listens on: Tansu and the trace sink, or
    Apache Kafka, Apache Cassandra and Jaeger."""
    if infra != "real":
        return {
            ports.kafka: "the Kafka broker (Tansu)",
            ports.trace_sink: "the trace sink (OTLP/HTTP)",
        }
    return {
        ports.kafka: "Apache Kafka",
        ports.kafka_controller: "Apache Kafka's KRaft controller",
        ports.cassandra: "Apache Cassandra (CQL)",
        ports.cassandra_storage: "Apache Cassandra (its storage port)",
        ports.trace_sink: "Jaeger's OTLP/HTTP receiver",
        ports.jaeger_query: "Jaeger's query API",
        ports.jaeger_grpc: "Jaeger's query API (gRPC)",
    }


def taken(needed: Mapping[int, str], host: str = HOST) -> dict[int, str]:
    """The subset of `needed` that something else already listens on."""
    return {port: what for port, what in needed.items() if not is_free(port, host)}


def check_free(needed: Mapping[int, str], host: str = HOST, proc: Path = PROC) -> None:
    """Raise `PortsInUse` naming every taken port (and skaffold, if it forwards a cluster);
    return quietly when all are free."""
    busy = taken(needed, host)
    if busy:
        raise PortsInUse(busy, skaffold=skaffold_forwarding(proc))


def is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could bind the port now (SO_REUSEADDR, as servers do, so a
    connection lingering in TIME_WAIT from a previous run does not count as taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True
