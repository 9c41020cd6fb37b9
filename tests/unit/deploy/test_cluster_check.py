"""`make cluster-check`: tool and cluster versions, and the ports skaffold forwards."""

from __future__ import annotations

import json
from collections.abc import Sequence

from smartbank.deploy import cluster_check
from smartbank.deploy.cluster_check import check


def fake_run(outputs: dict[str, str]) -> cluster_check.Run:
    def run(argv: Sequence[str]) -> str:
        key = " ".join(argv[:2]) if argv[0] != "kubectl" or "--client" in argv else "kubectl server"
        return outputs.get(key, "")

    return run


def kubectl(client: str) -> str:
    return json.dumps({"clientVersion": {"gitVersion": client}})


def server(version: str) -> str:
    return json.dumps({"serverVersion": {"gitVersion": version}})


GOOD = {
    "skaffold version": "v2.16.1\n",
    "kind version": "kind v0.30.0 go1.24.6 linux/amd64\n",
    "kubectl version": kubectl("v1.33.2"),
    "kubectl server": server("v1.33.1"),
}


def failed(findings: list[cluster_check.Finding]) -> dict[str, str]:
    return {f.what: f.detail for f in findings if not f.ok}


def test_new_enough_tools_a_cluster_and_free_ports_pass() -> None:
    assert failed(check(fake_run(GOOD), taken=lambda port: False)) == {}


def test_an_old_skaffold_kubectl_or_cluster_fails_with_the_version_needed() -> None:
    old = {
        **GOOD,
        "skaffold version": "v2.13.2",
        "kubectl version": kubectl("v1.31.4"),
        "kubectl server": server("v1.32.0"),
    }
    problems = failed(check(fake_run(old), taken=lambda port: False))
    assert problems["skaffold"] == "2.13.2 is too old; skaffold >= 2.15.0"
    assert problems["kubectl"] == "1.31.4 is too old; kubectl >= 1.32.0"
    assert "1.32.0 is too old" in problems["cluster"]


def test_a_missing_skaffold_or_no_cluster_fails_and_a_missing_kind_does_not() -> None:
    missing = {"kubectl version": kubectl("v1.33.0")}
    problems = failed(check(fake_run(missing), taken=lambda port: False))
    assert set(problems) == {"skaffold", "cluster"}
    assert "kind create cluster" in problems["cluster"]


def test_a_port_the_local_stack_holds_is_named_with_what_would_go_wrong() -> None:
    problems = failed(check(fake_run(GOOD), taken=lambda port: port == 8090))
    assert list(problems) == ["port 8090"]
    assert "smartbank down" in problems["port 8090"]
