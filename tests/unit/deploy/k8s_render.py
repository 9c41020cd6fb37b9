"""The cluster's manifests as Kubernetes would receive them: `kubectl kustomize` of an overlay
(no cluster needed), parsed, with small readers for what the tests ask of them.

Until deploy/k8s/base/infra/ has its kustomization, the base is rendered from a copy without it,
so the services' part is still checked; `INFRA_READY` tells the tests that need infra.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy/k8s"
TARGETS = ("base", "overlays/dev", "overlays/prod")
INFRA_READY = (K8S / "base/infra/kustomization.yaml").is_file()
# A pod's address as NetworkPolicy ipBlocks see it (every common CNI hands out private ones).
POD_ADDRESS = ipaddress.ip_address("10.244.1.7")
Doc = dict[str, Any]


def tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise AssertionError(f"{name} is missing: pip install -e '.[dev]' (or make install)")
    return str(path)


@cache
def rendered(target: str) -> str:
    if INFRA_READY:
        return kustomize(K8S / target)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp, "k8s")
        shutil.copytree(K8S, copy, ignore=shutil.ignore_patterns("infra"))
        base = copy / "base/kustomization.yaml"
        config = yaml.safe_load(base.read_text())
        config["resources"].remove("infra")
        base.write_text(yaml.safe_dump(config))
        return kustomize(copy / target)


def kustomize(path: Path) -> str:
    result = subprocess.run(
        [tool("kubectl"), "kustomize", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@cache
def documents(target: str) -> tuple[Doc, ...]:
    return tuple(doc for doc in yaml.safe_load_all(rendered(target)) if doc)


def objects(target: str, kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in documents(target) if d["kind"] == kind}


def pod(deployment: Doc) -> Doc:
    spec: Doc = deployment["spec"]["template"]["spec"]
    return spec


def containers(deployment: Doc) -> list[Doc]:
    return [*pod(deployment).get("initContainers", []), *pod(deployment)["containers"]]


def container(deployment: Doc, name: str) -> Doc:
    return next(c for c in containers(deployment) if c["name"] == name)


def environment(target: str, spec: Doc, secrets: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """A container's environment as the kubelet builds it: envFrom in order, later sources
    winning, then env (a value, or a ConfigMap's key). A Secret (never committed) contributes
    the keys `secrets` declares."""
    config_maps = objects(target, "ConfigMap")
    env: dict[str, str] = {}
    for source in spec.get("envFrom", []):
        if "configMapRef" in source:
            env.update(config_maps[source["configMapRef"]["name"]]["data"])
        else:
            env.update(dict.fromkeys(secrets[source["secretRef"]["name"]], ""))
    for item in spec.get("env", []):
        ref = item.get("valueFrom", {}).get("configMapKeyRef")
        value = config_maps[ref["name"]]["data"][ref["key"]] if ref else item.get("value", "")
        env[item["name"]] = value
    return env


def matches(selector: Doc, labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        present, value = expression["key"] in labels, labels.get(expression["key"])
        wanted = {
            "In": present and value in expression.get("values", []),
            "NotIn": not present or value not in expression.get("values", []),
            "Exists": present,
            "DoesNotExist": not present,
        }
        if not wanted[expression["operator"]]:
            return False
    return True


def peer_matches(peer: Doc, labels: dict[str, str] | None) -> bool:
    """`labels` None: an address outside the cluster (8.8.8.8); else a pod of this namespace."""
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        address = ipaddress.ip_address("8.8.8.8") if labels is None else POD_ADDRESS
        inside = address in ipaddress.ip_network(block["cidr"])
        return inside and not any(
            address in ipaddress.ip_network(c) for c in block.get("except", [])
        )
    if labels is None or "namespaceSelector" in peer:
        return False
    return matches(peer.get("podSelector", {}), labels)


def rule_allows(rule: Doc, peers_key: str, labels: dict[str, str] | None, port: int) -> bool:
    ports = [p.get("port") for p in rule.get("ports", [])]
    port_ok = not ports or port in ports
    peers = rule.get(peers_key)
    return port_ok and (not peers or any(peer_matches(p, labels) for p in peers))


def allowed(
    target: str, source: dict[str, str], destination: dict[str, str] | None, port: int
) -> bool:
    """Whether the namespace's NetworkPolicies let a pod with labels `source` open a TCP
    connection to a pod with labels `destination` (None: an internet address) on `port`."""
    policies = list(objects(target, "NetworkPolicy").values())

    def direction(kind: str, pod_labels: dict[str, str], other: Any, key: str) -> bool:
        applying = [
            p
            for p in policies
            if kind in p["spec"]["policyTypes"] and matches(p["spec"]["podSelector"], pod_labels)
        ]
        rules = [r for p in applying for r in p["spec"].get(kind.lower(), [])]
        return not applying or any(rule_allows(r, key, other, port) for r in rules)

    out = direction("Egress", source, destination, "to")
    return out and (destination is None or direction("Ingress", destination, source, "from"))


def quantity(value: str | int) -> float:
    """CPU in cores or memory in bytes, from a Kubernetes quantity (`250m`, `128Mi`, `2`)."""
    text = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in sorted(units.items(), key=lambda u: -len(u[0])):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)
