"""The dev overlay's stand-in for APNs: `push-sink`, the local stack's push sink in a pod.

Apple's sandbox refuses the pushes an apns without credentials signs with its ephemeral key, so
on a laptop cluster nobody would see a push and the swipe-to-push latency would have no data.
In dev, apns sends to this sink instead (its ConfigMap's APNS_ENDPOINT, patched by the overlay);
the sink checks each push as Apple would and writes the accepted ones, one JSON line each, to
its own stdout: `kubectl -n smartbank logs -f deploy/push-sink`. Only apns may reach it, and it
reaches nothing; base and prod have neither the sink nor apns' way to it.
"""

from __future__ import annotations

from typing import Any

from smartbank.deploy.k8s.pods import (
    NAME,
    PART_OF,
    container_security,
    deployment,
    metadata,
    pod_spec,
    selector,
)
from smartbank.deploy.k8s.policies import pods, policy, selects, tcp
from smartbank.registry import PUSH_SINK_MODULE, PUSH_SINK_PORT

PUSH_SINK = "push-sink"
ENDPOINT = f"http://{PUSH_SINK}:{PUSH_SINK_PORT}"
LABELS = {
    "app.kubernetes.io/part-of": PART_OF,
    NAME: PUSH_SINK,
    "app.kubernetes.io/component": "test",
}
# Idle RSS ~45 MB; a push is a few hundred bytes of JSON.
RESOURCES = {
    "requests": {"cpu": "10m", "memory": "64Mi"},
    "limits": {"cpu": "250m", "memory": "128Mi"},
}
# The container's stdout, which the kubelet collects. The sink opens its file for each push, and
# the runtime makes the container's user the owner of its stdio, so a non-root pod may. Nothing
# calls the sink's GET /pushes here (it would read the file): the probe only opens a connection.
PUSHES_FILE = "/dev/stdout"


def sink_container() -> dict[str, Any]:
    argv = ["--host", "0.0.0.0", "--port", str(PUSH_SINK_PORT), "--file", PUSHES_FILE]
    return {
        "name": "sink",
        # Every service image holds the whole smartbank package; skaffold builds this one.
        "image": "smartbank-apns",
        "command": ["python", "-m", PUSH_SINK_MODULE, *argv],
        "ports": [{"name": "http", "containerPort": PUSH_SINK_PORT}],
        "readinessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 5},
        "resources": RESOURCES,
        "securityContext": container_security(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def sink_service() -> dict[str, Any]:
    port = {"name": "http", "port": PUSH_SINK_PORT, "targetPort": "http"}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(PUSH_SINK, LABELS),
        "spec": {"selector": selector(PUSH_SINK), "ports": [port]},
    }


def sink_policy() -> dict[str, Any]:
    """apns in on the sink's port; nothing out (DNS aside, as for every pod)."""
    ingress = [{"from": [pods("apns")], "ports": tcp(PUSH_SINK_PORT)}]
    return policy(PUSH_SINK, LABELS, selects(PUSH_SINK), ingress=ingress)


def apns_egress(apns_labels: dict[str, str]) -> dict[str, Any]:
    """apns out to the sink, beside the base's policy (which only lets it reach the internet)."""
    egress = [{"to": [pods(PUSH_SINK)], "ports": tcp(PUSH_SINK_PORT)}]
    return policy(
        f"apns-{PUSH_SINK}-egress", apns_labels, selects("apns"), egress=egress, types=("Egress",)
    )


def documents(apns_labels: dict[str, str]) -> list[dict[str, Any]]:
    pod = pod_spec(PUSH_SINK, LABELS, envoy_config=None)
    pod["containers"] = [sink_container()]
    return [
        deployment(PUSH_SINK, LABELS, pod, checksum=None),
        sink_service(),
        sink_policy(),
        apns_egress(apns_labels),
    ]
