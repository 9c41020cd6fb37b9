"""NetworkPolicies from the registry: the namespace denies everything, then each pod is allowed
exactly the calls and topics the registry declares.

A service accepts its callers (the services whose `calls` name it), the edge if it is behind
one, the in-cluster test Job and Prometheus; it reaches its callees, Kafka if it publishes or
consumes, Cassandra if it has tables, Jaeger always. Infrastructure pods admit services by the
labels `smartbank.io/kafka` and `smartbank.io/cassandra` (see k8s_pods.service_labels).
"""

from __future__ import annotations

from typing import Any

from smartbank.deploy.k8s.config import CASSANDRA_PORT, OTLP_HTTP_PORT
from smartbank.deploy.k8s.infra import SEEDED_SERVICES, SEEDER_LABEL
from smartbank.deploy.k8s.pods import (
    NAME,
    SMARTBANK,
    cassandra_user,
    has_sidecar,
    kafka_user,
    metadata,
    selector,
)
from smartbank.registry import (
    EDGE_PREFIXES,
    EDGES,
    ENVOY_ADMIN_PORT,
    KAFKA_PORT,
    SERVICES,
    ServiceSpec,
    spec,
)

PROMETHEUS = "prometheus"
# The in-cluster test Job calls every service directly; pods labelled as seeders (k8s_infra:
# the test Job, the load generator) may call the services that seeding a customer needs.
TEST_JOB = "integration-tests"
# Pods that may call the edge from inside the namespace (the test Job, the load generator).
EDGE_CLIENT = {"smartbank.io/edge-client": "true"}
# Where apns and webhook may connect outside the cluster: anything but private, link-local
# (cloud metadata) and shared (CGNAT, some clusters' pod range) addresses.
PRIVATE_RANGES = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
)
INTERNET_PORTS: dict[str, tuple[int, ...]] = {"apns": (443,), "webhook": (443, 80)}


def pods(*names: str) -> dict[str, Any]:
    """A peer: the smartbank pods of the workloads `names`."""
    if len(names) == 1:
        return {"podSelector": selects(names[0])}
    expression = {"key": NAME, "operator": "In", "values": list(names)}
    return {"podSelector": {"matchLabels": SMARTBANK, "matchExpressions": [expression]}}


def tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def selects(name: str) -> dict[str, Any]:
    return {"matchLabels": selector(name)}


def policy(
    name: str,
    labels: dict[str, str],
    pod_selector: dict[str, Any],
    ingress: list[dict[str, Any]] | None = None,
    egress: list[dict[str, Any]] | None = None,
    types: tuple[str, ...] = ("Ingress", "Egress"),
) -> dict[str, Any]:
    """A policy for the pods `pod_selector` picks; a type without rules denies that direction."""
    body: dict[str, Any] = {"podSelector": pod_selector, "policyTypes": list(types)}
    if ingress:
        body["ingress"] = ingress
    if egress:
        body["egress"] = egress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(name, labels),
        "spec": body,
    }


def edge_targets() -> tuple[str, ...]:
    targets = set(EDGES.values()) | {t for p in EDGE_PREFIXES.values() for t in p.values()}
    return tuple(sorted(targets))


def callers(callee: ServiceSpec) -> tuple[str, ...]:
    return tuple(s.name for s in SERVICES if callee.name in s.calls)


def internet(ports: tuple[int, ...]) -> dict[str, Any]:
    block = {"cidr": "0.0.0.0/0", "except": list(PRIVATE_RANGES)}
    return {"to": [{"ipBlock": block}], "ports": tcp(*ports)}


def private_networks(name: str, labels: dict[str, str]) -> dict[str, Any]:
    """Egress to private addresses on any port, for a dev cluster's in-cluster webhook sink."""
    to = [{"ipBlock": {"cidr": cidr}} for cidr in PRIVATE_RANGES]
    return policy(
        f"{name}-private-egress", labels, selects(name), egress=[{"to": to}], types=("Egress",)
    )


def service_policy(service: ServiceSpec, labels: dict[str, str]) -> dict[str, Any]:
    sources = [pods(*callers(service))] if callers(service) else []
    if service.name in edge_targets():
        sources.append(pods("edge"))
    sources.append(pods(TEST_JOB))
    if service.name in SEEDED_SERVICES:
        sources.append({"podSelector": {"matchLabels": {SEEDER_LABEL: "true"}}})
    metrics = (service.port, ENVOY_ADMIN_PORT) if has_sidecar(service) else (service.port,)
    ingress = [
        {"from": sources, "ports": tcp(service.port)},
        {"from": [pods(PROMETHEUS)], "ports": tcp(*metrics)},
    ]
    egress = [{"to": [pods(c.name)], "ports": tcp(c.port)} for c in map(spec, service.calls)]
    if kafka_user(service):
        egress.append({"to": [pods("kafka")], "ports": tcp(KAFKA_PORT)})
    if cassandra_user(service):
        egress.append({"to": [pods("cassandra")], "ports": tcp(CASSANDRA_PORT)})
    egress.append({"to": [pods("jaeger")], "ports": tcp(OTLP_HTTP_PORT)})
    if service.name in INTERNET_PORTS:
        egress.append(internet(INTERNET_PORTS[service.name]))
    return policy(service.name, labels, selects(service.name), ingress, egress)


def edge_policy(labels: dict[str, str], public_ports: tuple[int, ...]) -> dict[str, Any]:
    ingress = [
        # From anywhere: a port-forward, an ingress controller or a load balancer.
        {"ports": tcp(*public_ports)},
        # Covered by the rule above, and stated anyway: in-cluster clients keep their access
        # if "anywhere" is ever narrowed to an ingress controller.
        {"from": [{"podSelector": {"matchLabels": EDGE_CLIENT}}], "ports": tcp(*public_ports)},
        {"from": [pods(PROMETHEUS)], "ports": tcp(ENVOY_ADMIN_PORT)},
    ]
    egress = [{"to": [pods(name)], "ports": tcp(spec(name).port)} for name in edge_targets()]
    egress.append({"to": [pods("jaeger")], "ports": tcp(OTLP_HTTP_PORT)})
    return policy("edge", labels, selects("edge"), ingress, egress)


def namespace_policies(labels: dict[str, str]) -> list[dict[str, Any]]:
    """Deny all traffic to and from every pod in the namespace, except DNS lookups."""
    kube_dns = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
    }
    dns = {"to": [kube_dns], "ports": [{"protocol": p, "port": 53} for p in ("UDP", "TCP")]}
    return [
        policy("default-deny", labels, {}),
        policy("allow-dns", labels, {}, egress=[dns], types=("Egress",)),
    ]
