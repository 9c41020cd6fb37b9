"""The NetworkPolicies, evaluated: every pair of pods in the namespace may talk exactly where
the registry says one calls the other (both sides' policies are read, the infrastructure's
too once infra/ is rendered)."""

from __future__ import annotations

import pytest

from smartbank.deploy.k8s import push_sink as k8s_push_sink
from smartbank.deploy.k8s.infra import JMX_EXPORTED, JMX_PORT, SEEDED_SERVICES
from smartbank.deploy.k8s.policies import edge_targets
from smartbank.registry import ENVOY_ADMIN_PORT, SERVICES, spec
from smartbank.serve import load_service
from tests.unit.deploy.k8s_render import INFRA_READY, TARGETS, allowed, objects

OVERLAYS = ("overlays/dev", "overlays/prod")
PUSH_SINK, PUSH_SINK_PORT = k8s_push_sink.PUSH_SINK, 8190
EDGE_PORTS = (8080, 8090)
INFRA_PORTS = {"kafka": 9092, "cassandra": 9042, "jaeger": 4318}


def labels(target: str, name: str) -> dict[str, str]:
    """A workload's pod labels as rendered; before infra/ exists, what its pods will carry."""
    for kind in ("Deployment", "StatefulSet", "Job"):
        if name in (found := objects(target, kind)):
            pod_labels: dict[str, str] = found[name]["spec"]["template"]["metadata"]["labels"]
            return pod_labels
    if name == PUSH_SINK:  # only dev runs it; elsewhere, the labels its pods would carry
        return dict(k8s_push_sink.LABELS)
    assert not INFRA_READY, f"{name} is not rendered"
    return {"app.kubernetes.io/name": name}


def ports(name: str) -> tuple[int, ...]:
    if name == "edge":
        return (*EDGE_PORTS, ENVOY_ADMIN_PORT)
    if name == PUSH_SINK:
        return (PUSH_SINK_PORT,)
    service = spec(name)
    return (service.port, ENVOY_ADMIN_PORT) if service.calls else (service.port,)


def calls(target: str) -> set[tuple[str, str, int]]:
    declared = {(s.name, c, spec(c).port) for s in SERVICES for c in s.calls}
    declared |= {("edge", t, spec(t).port) for t in edge_targets()}
    if target == "overlays/dev":
        # dev lets webhook deliver to private addresses, and the edge admits anyone; apns
        # sends its pushes to the in-cluster sink (which base and prod do not have).
        declared |= {("webhook", "edge", port) for port in EDGE_PORTS}
        declared.add(("apns", PUSH_SINK, PUSH_SINK_PORT))
    return declared


@pytest.mark.parametrize("target", TARGETS)
def test_services_and_edge_reach_each_other_exactly_as_the_registry_declares(target: str) -> None:
    names, expected = [s.name for s in SERVICES] + ["edge", PUSH_SINK], calls(target)
    wrong = [
        f"{source} → {destination}:{port}"
        for source in names
        for destination in names
        for port in ports(destination)
        if allowed(target, labels(target, source), labels(target, destination), port)
        != ((source, destination, port) in expected)
    ]
    assert wrong == [], f"allowed but not declared, or declared but denied: {wrong}"


@pytest.mark.parametrize("target", TARGETS)
def test_services_reach_kafka_cassandra_and_jaeger_only_as_they_use_them(target: str) -> None:
    for service in SERVICES:
        uses = {
            "kafka": bool(service.publishes or service.consumes),
            "cassandra": bool(load_service(service.name).tables),
            "jaeger": True,
        }
        for infra, port in INFRA_PORTS.items():
            reach = allowed(target, labels(target, service.name), labels(target, infra), port)
            assert reach == uses[infra], f"{service.name} → {infra}"
    assert allowed(target, labels(target, "edge"), labels(target, "jaeger"), 4318)


@pytest.mark.parametrize("target", OVERLAYS)
def test_only_apns_and_webhook_reach_the_internet(target: str) -> None:
    internet = {"apns": (443,), "webhook": (443, 80)}
    for name in [s.name for s in SERVICES] + ["edge", PUSH_SINK]:
        for port in (80, 443):
            reach = allowed(target, labels(target, name), None, port)
            assert reach == (port in internet.get(name, ())), f"{name} → internet:{port}"


@pytest.mark.parametrize("target", TARGETS)
def test_prometheus_scrapes_every_service_and_envoy(target: str) -> None:
    prometheus = labels(target, "prometheus")
    for name in [s.name for s in SERVICES] + ["edge"]:
        metrics = [p for p in ports(name) if p not in EDGE_PORTS]
        for port in metrics:
            assert allowed(target, prometheus, labels(target, name), port), f"{name}:{port}"


@pytest.mark.parametrize("target", OVERLAYS)
def test_prometheus_scrapes_kafka_and_cassandra_and_no_service_scrapes_them(target: str) -> None:
    prometheus = labels(target, "prometheus")
    for name in JMX_EXPORTED:
        assert allowed(target, prometheus, labels(target, name), JMX_PORT), name
        for caller in ("card-processing", "transactions", "grafana"):
            assert not allowed(target, labels(target, caller), labels(target, name), JMX_PORT)


@pytest.mark.parametrize("target", TARGETS)
def test_the_test_job_and_load_generator_reach_the_edge_and_seed_customers(target: str) -> None:
    for client in ("integration-tests", "loadgen"):
        pod = labels(target, client) if INFRA_READY else {"smartbank.io/edge-client": "true"}
        for port in EDGE_PORTS:
            assert allowed(target, pod, labels(target, "edge"), port), f"{client} → edge:{port}"
        for name in SEEDED_SERVICES:
            seeder = {**pod, "smartbank.io/seeder": "true"}
            assert allowed(target, seeder, labels(target, name), spec(name).port), name


@pytest.mark.parametrize("target", TARGETS)
def test_the_schema_job_reaches_cassandra_and_nothing_else(target: str) -> None:
    job = labels(target, "cassandra-schema")
    assert allowed(target, job, labels(target, "cassandra"), INFRA_PORTS["cassandra"])
    others = {**{s.name: s.port for s in SERVICES}, "kafka": 9092, "jaeger": 4318}
    for name, port in others.items():
        assert not allowed(target, job, labels(target, name), port), f"{name}:{port}"


@pytest.mark.parametrize("target", TARGETS)
def test_the_push_sink_reaches_nothing(target: str) -> None:
    sink = labels(target, PUSH_SINK)
    for name, port in {**INFRA_PORTS, **{s.name: s.port for s in SERVICES}}.items():
        assert not allowed(target, sink, labels(target, name), port), f"{name}:{port}"


@pytest.mark.parametrize("target", TARGETS)
def test_grafana_reaches_prometheus_and_jaeger_and_no_service(target: str) -> None:
    """Its two data sources (the dashboard's metrics and its trace links), nothing else."""
    if not INFRA_READY:
        pytest.skip("infra/ is not rendered yet")
    grafana = labels(target, "grafana")
    assert allowed(target, grafana, labels(target, "prometheus"), 9090)
    assert allowed(target, grafana, labels(target, "jaeger"), 16686)
    for name, port in {**INFRA_PORTS, **{s.name: s.port for s in SERVICES}}.items():
        assert not allowed(target, grafana, labels(target, name), port), f"{name}:{port}"
