"""The cluster's infrastructure manifests: in step with the registry, restricted, self-contained."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml
from prometheus_client import CollectorRegistry

from apns.metrics import PushMetrics
from card_api.metrics import AuthorisationMetrics
from smartbank.deploy.k8s import infra as k8s_infra
from smartbank.events.metrics import ConsumerMetrics
from smartbank.filters.metrics import HttpMetrics
from smartbank.registry import topics

ROOT = Path(__file__).resolve().parents[3]
INFRA = ROOT / k8s_infra.INFRA_DIR
KUSTOMIZATION = yaml.safe_load((INFRA / "kustomization.yaml").read_text())
WORKLOADS = {"Deployment", "StatefulSet", "Job"}
OWN_IMAGES = ("smartbank-",)


def documents() -> Iterator[dict[str, Any]]:
    for resource in KUSTOMIZATION["resources"]:
        yield from (d for d in yaml.safe_load_all((INFRA / resource).read_text()) if d)


def pod_specs() -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in documents():
        if doc["kind"] in WORKLOADS:
            yield doc["metadata"]["name"], doc["spec"]["template"]


def containers() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, template in pod_specs():
        spec = template["spec"]
        for container in spec.get("initContainers", []) + spec["containers"]:
            yield f"{name}/{container['name']}", container


def test_generated_files_match_the_render() -> None:
    assert k8s_infra.stale(INFRA) == [], "run: python -m smartbank.deploy.k8s.infra"


def test_topics_configmap_lists_every_registry_topic_once() -> None:
    listed = k8s_infra.topics_configmap()["data"]["topics.txt"].split()
    assert listed == list(topics())
    assert {f"dead-letter.{g}" for g in ("apns", "webhook")} <= set(listed)


def test_prometheus_may_reach_every_service_port_and_envoy_admin() -> None:
    rule = k8s_infra.prometheus_egress()["spec"]["egress"][0]
    ports = {p["port"] for p in rule["ports"]}
    assert ports == {8101 + i for i in range(13)} | {9901}


def exported_metric_names() -> set[str]:
    registry = CollectorRegistry()
    HttpMetrics(registry, "probe")
    ConsumerMetrics(registry)
    AuthorisationMetrics(registry)
    PushMetrics(registry)
    suffixes = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}
    return {m.name + s for m in registry.collect() for s in suffixes[m.type]}


def test_dashboard_queries_only_metrics_the_code_exports() -> None:
    exprs = [t["expr"] for p in k8s_infra.dashboard()["panels"] for t in p.get("targets", [])]
    used = {name for e in exprs for name in re.findall(r"\bsmartbank_[a-z_]+", e)}
    assert used and used <= exported_metric_names()


def test_dashboard_panels_do_not_overlap() -> None:
    cells: set[tuple[int, int]] = set()
    for panel in k8s_infra.dashboard()["panels"]:
        g = panel["gridPos"]
        columns, rows = range(g["x"], g["x"] + g["w"]), range(g["y"], g["y"] + g["h"])
        mine = {(x, y) for x in columns for y in rows}
        assert not cells & mine, panel["title"]
        cells |= mine


@pytest.mark.parametrize(("name", "container"), list(containers()))
def test_every_container_is_bounded_and_restricted(name: str, container: dict[str, Any]) -> None:
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind]), name
    context = container["securityContext"]
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["readOnlyRootFilesystem"] is True
    assert context["runAsNonRoot"] is True
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    image = container["image"]
    assert image.startswith(OWN_IMAGES) or re.fullmatch(r"[\w./-]+:v?\d+(\.\d+)+", image), image


@pytest.mark.parametrize(("name", "template"), list(pod_specs()))
def test_every_pod_is_non_root_and_labelled(name: str, template: dict[str, Any]) -> None:
    context = template["spec"]["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] > 0
    labels = template["metadata"]["labels"]
    assert labels["app.kubernetes.io/part-of"] == "smartbank"
    assert labels["app.kubernetes.io/component"] in ("infra", "test")
    assert labels["app.kubernetes.io/name"] == name


def test_every_mounted_configmap_is_defined_here() -> None:
    defined = {g["name"] for g in KUSTOMIZATION["configMapGenerator"]}
    defined |= {d["metadata"]["name"] for d in documents() if d["kind"] == "ConfigMap"}
    for name, template in pod_specs():
        for volume in template["spec"].get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in defined, f"{name}: {volume['name']}"


def test_generated_files_are_all_in_the_kustomization() -> None:
    generated = {str(p) for p in k8s_infra.render()}
    listed = set(KUSTOMIZATION["resources"])
    listed |= {f.split("=")[-1] for g in KUSTOMIZATION["configMapGenerator"] for f in g["files"]}
    assert generated <= listed


def test_the_dashboards_trace_links_open_jaeger_through_a_provisioned_data_source() -> None:
    sources = yaml.safe_load((INFRA / "grafana/datasources.yaml").read_text())["datasources"]
    uids = {s["uid"]: s for s in sources}
    assert uids["jaeger"]["type"] == "jaeger" and uids["jaeger"]["url"] == "http://jaeger:16686"
    links = k8s_infra.dashboard()["links"]
    assert {service for _, service in k8s_infra.TRACE_LINKS} == {"card-api", "api"}
    for link in links:
        panes = json.loads(unquote(link["url"].split("panes=", 1)[1]))
        (pane,) = panes.values()
        assert pane["datasource"] in uids and pane["queries"][0]["datasource"] == k8s_infra.TRACES


AGENT = re.compile(r"-javaagent:(/[^\s=]+)=(\d+):(/[^\s\"]+)")


@pytest.mark.parametrize("target", ["overlays/dev", "overlays/prod"])
@pytest.mark.parametrize("name", k8s_infra.JMX_EXPORTED)
def test_kafka_and_cassandra_load_the_jmx_exporter_with_their_rules(target: str, name: str) -> None:
    """The agent the init container copies, the rules the ConfigMap mounts (the files
    tests/real checks against real parts), on the port the pod declares and Prometheus keeps."""
    from tests.unit.deploy.k8s_render import objects

    configs = objects(target, "ConfigMap")
    statefulset = objects(target, "StatefulSet")[name]
    spec = statefulset["spec"]["template"]["spec"]
    (init,) = [c for c in spec["initContainers"] if c["name"] == "jmx-exporter"]
    main = spec["containers"][0]
    if name == "kafka":  # the broker's own exec in start.sh, so no other kafka-*.sh takes the port
        script = next(c for n, c in configs.items() if n.startswith("kafka-scripts"))
        options = script["data"]["start.sh"].split("exec /opt/kafka/bin/kafka-server-start.sh")[0]
        options = options.rsplit("\n", 2)[-2]
        assert options.startswith("export KAFKA_OPTS=")
    else:
        options = {e["name"]: e.get("value", "") for e in main["env"]}["JVM_EXTRA_OPTS"]
    (jar, port, rules), *others = AGENT.findall(options)
    assert not others
    mounts = {m["mountPath"]: m["name"] for m in main["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    # The jar: copied by the init container into the emptyDir the JVM's container mounts.
    assert init["image"] == "smartbank-jmx-exporter" and init["command"][-1] == "/jmx/"
    assert init["command"][:2] == ["cp", "-f"]  # a rerun replaces the read-only copy
    assert init["command"][-2].rsplit("/", 1)[1] == jar.rsplit("/", 1)[1]
    assert mounts[jar.rsplit("/", 1)[0]] == "jmx" and "emptyDir" in volumes["jmx"]
    assert {m["name"] for m in init["volumeMounts"]} == {"jmx"}
    # The rules: the ConfigMap of deploy/k8s/base/infra/jmx/, the file of this part.
    directory, file = rules.rsplit("/", 1)
    config_map = volumes[mounts[directory]]["configMap"]["name"]
    assert config_map.startswith(f"{name}-jmx-rules")
    assert configs[config_map]["data"][file] == (INFRA / "jmx" / f"{name}.yaml").read_text()
    # The port: declared as `metrics`, which Prometheus's `infra` job keeps.
    declared = {p["name"]: p["containerPort"] for p in main["ports"]}
    assert declared["metrics"] == int(port) == k8s_infra.JMX_PORT
    scrape = yaml.safe_load((INFRA / "prometheus/prometheus.yml").read_text())
    (job,) = [j for j in scrape["scrape_configs"] if j["job_name"] == "infra"]
    keep = {r.get("regex") for r in job["relabel_configs"] if r.get("action") == "keep"}
    assert {"smartbank;infra", "metrics"} <= keep
