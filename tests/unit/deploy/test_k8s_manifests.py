"""The cluster's manifests: generated from the registry, valid for a current Kubernetes, and
shaped as each overlay promises (dev fits a laptop, prod survives losing a pod or a node)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from smartbank.deploy import skaffold
from smartbank.deploy.k8s import manifests as k8s
from smartbank.registry import SERVICES
from tests.unit.deploy.k8s_render import (
    INFRA_READY,
    K8S,
    TARGETS,
    Doc,
    documents,
    objects,
    quantity,
    rendered,
    tool,
)

# The oldest Kubernetes the manifests are meant for (native sidecars are GA from 1.33) and the
# newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
LAPTOP_CPU, LAPTOP_MEMORY = 4.0, 8 * 2**30
DEPLOYMENTS = [s.name for s in SERVICES] + ["edge"]


def test_checked_in_manifests_are_the_render() -> None:
    stale = k8s.stale(K8S)
    assert stale == [], (
        f"{', '.join(map(str, stale))} differ from the registry: run `make manifests`"
    )


@pytest.mark.parametrize("target", TARGETS)
def test_kustomize_output_passes_kubernetes_validate(target: str, tmp_path: Path) -> None:
    """Strict: an unknown field is an error, and so is a kind without a schema (the tool only
    warns), since the manifests use no custom resources."""
    path = tmp_path / "rendered.yaml"
    path.write_text(rendered(target))
    versions = [arg for v in KUBERNETES_VERSIONS for arg in ("-k", v)]
    result = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", *versions, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "WARN" not in report and "ERROR" not in report, report


def test_base_includes_the_infrastructure() -> None:
    if not INFRA_READY:
        pytest.skip("deploy/k8s/base/infra/kustomization.yaml does not exist yet")
    kinds = {(d["kind"], d["metadata"]["name"]) for d in documents("base")}
    for name in ("kafka", "cassandra"):
        assert ("StatefulSet", name) in kinds
    assert {("Deployment", "jaeger"), ("Deployment", "prometheus")} <= kinds


def test_namespace_enforces_the_restricted_pod_security_profile_and_is_never_rendered() -> None:
    """skaffold deletes what it rendered on Ctrl-C; the namespace (and with it the volumes) is
    applied by a hook instead, so it outlives every `skaffold dev`."""
    (namespace,) = yaml.safe_load_all((K8S / k8s.NAMESPACE_FILE).read_text())
    assert namespace["kind"] == "Namespace" and namespace["metadata"]["name"] == "smartbank"
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for target in TARGETS:
        assert "Namespace" not in {d["kind"] for d in documents(target)}
        assert {d["metadata"].get("namespace") for d in documents(target)} == {"smartbank"}
    hooks = skaffold.render()["deploy"]["kubectl"]["hooks"]["before"]
    assert hooks[0]["host"]["command"][-1] == str(Path("deploy/k8s") / k8s.NAMESPACE_FILE)


def requests(name: str, spec: Doc) -> tuple[float, float]:
    """A pod's scheduling request: its containers plus the sidecars that run beside them (an
    init container that runs to completion before them needs less: every one here does)."""
    sidecars = [c for c in spec.get("initContainers", []) if c.get("restartPolicy") == "Always"]
    running = [*sidecars, *spec["containers"]]
    for container in running:
        assert {"cpu", "memory"} <= container.get("resources", {}).get("requests", {}).keys(), (
            f"{name}/{container['name']} has no CPU and memory requests"
        )
    cpu = sum(quantity(c["resources"]["requests"]["cpu"]) for c in running)
    memory = sum(quantity(c["resources"]["requests"]["memory"]) for c in running)
    return cpu, memory


def workloads(target: str) -> list[tuple[str, int, Doc]]:
    found = []
    for doc in documents(target):
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            replicas = doc["spec"].get("replicas", 1) if doc["kind"] != "Job" else 1
            found.append((doc["metadata"]["name"], replicas, doc["spec"]["template"]["spec"]))
    return found


def test_dev_runs_one_replica_and_fits_a_laptop_with_the_infrastructure() -> None:
    totals: dict[str, list[float]] = {}
    counted = set()
    for name, replicas, spec in workloads("overlays/dev"):
        counted.add(name)
        cpu, memory = requests(name, spec)
        group = "services" if name in DEPLOYMENTS else "infrastructure"
        totals.setdefault(group, [0.0, 0.0])
        totals[group][0] += cpu * replicas
        totals[group][1] += memory * replicas
        if name in DEPLOYMENTS:
            assert replicas == 1, name
    # The infrastructure, the Jobs and dev's own push sink count too.
    assert {"kafka", "cassandra", "integration-tests", "push-sink"} <= counted
    cpu, memory = (sum(t[i] for t in totals.values()) for i in (0, 1))
    summary = {g: f"{c:.2f} CPU, {m / 2**20:.0f} MiB" for g, (c, m) in totals.items()}
    print(f"dev requests: {summary}; total {cpu:.2f} CPU, {memory / 2**30:.2f} GiB")
    assert cpu <= LAPTOP_CPU and memory <= LAPTOP_MEMORY, summary
    # A redeploy (every service's and the edge's pods replaced, the Jobs run again) would add
    # each one's surge on top: none in dev, so the rollout fits where the steady state does.
    deployments = objects("overlays/dev", "Deployment")
    surges = {deployments[n]["spec"]["strategy"]["rollingUpdate"]["maxSurge"] for n in DEPLOYMENTS}
    assert surges == {0}


def test_prod_gives_every_deployment_a_budget_and_an_autoscaler_from_three() -> None:
    deployments = objects("overlays/prod", "Deployment")
    budgets = objects("overlays/prod", "PodDisruptionBudget")
    scalers = objects("overlays/prod", "HorizontalPodAutoscaler")
    for name in DEPLOYMENTS:
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        selector = budgets[name]["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items()
        assert budgets[name]["spec"]["maxUnavailable"] == 1
        scaler = scalers[name]["spec"]
        assert scaler["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert (scaler["minReplicas"], scaler["maxReplicas"]) == (3, 10)
        assert scaler["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
        # The autoscaler owns the count: applying the manifests again must not reset it.
        assert "replicas" not in deployments[name]["spec"], name


def test_prod_replicates_storage_and_events_three_times() -> None:
    platform = objects("overlays/prod", "ConfigMap")["smartbank-platform"]["data"]
    assert platform["CASSANDRA_REPLICATION_FACTOR"] == "3"
    if not INFRA_READY:
        pytest.skip("infra/ has no kustomization yet: Kafka and Cassandra are not rendered")
    stateful = objects("overlays/prod", "StatefulSet")
    assert stateful["kafka"]["spec"]["replicas"] == stateful["cassandra"]["spec"]["replicas"] == 3
    assert objects("overlays/prod", "ConfigMap")["kafka-cluster"]["data"]["KAFKA_REPLICAS"] == "3"


def test_dev_opens_the_doors_for_trying_things() -> None:
    config = objects("overlays/dev", "ConfigMap")
    assert config["auth"]["data"]["AUTH_LOGIN_MODE"] == "choose"
    assert config["webhook"]["data"]["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] == "true"
    assert config["smartbank-platform"]["data"]["TRACE_SAMPLING"] == "1.0"
    base = objects("base", "ConfigMap")
    assert base["auth"]["data"]["AUTH_LOGIN_MODE"] == "email"
    assert base["webhook"]["data"]["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] == "false"
