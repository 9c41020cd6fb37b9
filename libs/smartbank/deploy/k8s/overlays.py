"""The overlays on top of the base: `dev` for a laptop cluster, `prod` production-like.

dev keeps the base's one replica and small requests and opens two doors for trying things (the
login page that lets you choose a customer; webhooks to in-cluster URLs), and sends apns' pushes
to an in-cluster stand-in for APNs (k8s_push_sink). prod runs every
Deployment three times or more (a HorizontalPodAutoscaler each, never fewer than 3), keeps two
of three up through voluntary disruptions (a PodDisruptionBudget each), gives the pods room to
work and replicates every keyspace three times. Per-Deployment objects are generated from the
registry, so no Deployment can lack its budget or autoscaler.
"""

from __future__ import annotations

import hashlib
from typing import Any

from smartbank.deploy import generated
from smartbank.deploy.k8s.config import NAMESPACE, PLATFORM_CONFIG
from smartbank.deploy.k8s.pods import selector
from smartbank.registry import SERVICES

# Every kustomization names the namespace: it applies only to the resources it adds itself.
KUSTOMIZATION = {
    "apiVersion": "kustomize.config.k8s.io/v1beta1",
    "kind": "Kustomization",
    "namespace": NAMESPACE,
}
DEPLOYMENTS = "app.kubernetes.io/component in (service,proxy)"
PROD_MIN_REPLICAS, PROD_MAX_REPLICAS, PROD_CPU_TARGET = 3, 10, 70
# Sampled at the edge, where traces start; the services follow their caller's decision.
PROD_TRACE_SAMPLING = 0.1
PROD_APP_RESOURCES = {
    "requests": {"cpu": "250m", "memory": "192Mi"},
    "limits": {"cpu": "1", "memory": "512Mi"},
}
# Three Kafka brokers and three Cassandra nodes (infra/ reads KAFKA_REPLICAS to build the KRaft
# quorum and the topics' replication factor; every keyspace is created with the platform's
# CASSANDRA_REPLICATION_FACTOR), so QUORUM survives the loss of one of each.
PROD_INFRA_REPLICAS = {"kafka": 3, "cassandra": 3}
PROD_ENVOY_RESOURCES = {
    "requests": {"cpu": "100m", "memory": "64Mi"},
    "limits": {"cpu": "1", "memory": "256Mi"},
}


def config_patch(name: str, data: dict[str, str]) -> dict[str, Any]:
    """A strategic-merge patch that sets some keys of a ConfigMap."""
    patch = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
    return {"patch": generated.dump(patch)}


def json_patch(target: dict[str, str], operations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"target": target, "patch": generated.dump(operations)}


def stamped(patches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`patches` and one more: every Deployment's pod template carries a checksum of the
    overlay's configuration patches, so deploying another overlay (or changing one) rolls the
    pods, as the base's `smartbank.io/config` does for the base's ConfigMaps."""
    text = "".join(generated.dump(patch) for patch in patches)
    checksum = hashlib.sha256(text.encode()).hexdigest()[:16]
    stamp = {
        "op": "add",
        "path": "/spec/template/metadata/annotations/smartbank.io~1overlay",
        "value": checksum,
    }
    return [*patches, json_patch({"kind": "Deployment", "labelSelector": DEPLOYMENTS}, [stamp])]


# One replica each in dev: a redeploy replaces a pod instead of surging beside it, or every
# Deployment would run a second pod at once (with the Jobs, past the 8 GiB a laptop gives the
# cluster). Each service is away for its restart, which dev accepts; prod keeps the surge.
NO_SURGE = {"maxUnavailable": 1, "maxSurge": 0}


def dev(files: list[str], push_endpoint: str) -> dict[str, Any]:
    no_surge = {"op": "replace", "path": "/spec/strategy/rollingUpdate", "value": NO_SURGE}
    return {
        **KUSTOMIZATION,
        "resources": ["../../base", *files],
        "patches": [
            *stamped(
                [
                    config_patch(PLATFORM_CONFIG, {"TRACE_SAMPLING": "1.0"}),
                    config_patch("auth", {"AUTH_LOGIN_MODE": "choose"}),
                    config_patch("webhook", {"WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true"}),
                    config_patch("apns", {"APNS_ENDPOINT": push_endpoint}),
                ]
            ),
            json_patch({"kind": "Deployment", "labelSelector": DEPLOYMENTS}, [no_surge]),
        ],
    }


def prod(files: list[str], patches: list[str]) -> dict[str, Any]:
    sidecars = "|".join(s.name for s in SERVICES if s.calls)
    deployment = {"kind": "Deployment"}
    return {
        **KUSTOMIZATION,
        "resources": ["../../base", *files],
        "replicas": [{"name": name, "count": n} for name, n in PROD_INFRA_REPLICAS.items()],
        "patches": [
            *stamped(
                [
                    config_patch(
                        PLATFORM_CONFIG,
                        {
                            "CASSANDRA_REPLICATION_FACTOR": str(PROD_INFRA_REPLICAS["cassandra"]),
                            "TRACE_SAMPLING": str(PROD_TRACE_SAMPLING),
                        },
                    ),
                    config_patch(
                        "kafka-cluster", {"KAFKA_REPLICAS": str(PROD_INFRA_REPLICAS["kafka"])}
                    ),
                    *({"path": path} for path in patches),
                ]
            ),
            # The autoscaler owns the replica count: a re-apply must not reset it.
            json_patch(
                {**deployment, "labelSelector": DEPLOYMENTS},
                [{"op": "remove", "path": "/spec/replicas"}],
            ),
            resources_patch(
                {**deployment, "labelSelector": "app.kubernetes.io/component=service"},
                "containers",
                PROD_APP_RESOURCES,
            ),
            resources_patch(
                {**deployment, "name": sidecars}, "initContainers", PROD_ENVOY_RESOURCES
            ),
            resources_patch({**deployment, "name": "edge"}, "containers", PROD_ENVOY_RESOURCES),
        ],
    }


def resources_patch(target: dict[str, str], containers: str, resources: Any) -> dict[str, Any]:
    path = f"/spec/template/spec/{containers}/0/resources"
    return json_patch(target, [{"op": "replace", "path": path, "value": resources}])


def disruption_budget(name: str, labels: dict[str, str]) -> dict[str, Any]:
    """One pod at a time may be evicted (a node drain): at 3 replicas, two keep serving."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name, "labels": labels},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(name)}},
    }


def autoscaler(name: str, labels: dict[str, str]) -> dict[str, Any]:
    cpu = {"type": "Utilization", "averageUtilization": PROD_CPU_TARGET}
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": PROD_MIN_REPLICAS,
            "maxReplicas": PROD_MAX_REPLICAS,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": cpu}}],
        },
    }
