"""`make cluster-check`: what `skaffold dev` needs, checked before it starts.

    python -m smartbank.deploy.cluster_check

It checks the tools' versions against the least this repository works with, that a cluster is
reachable and new enough, and that the ports skaffold forwards are free: with `make run` up,
skaffold forwards to other ports without failing, and `smartbank swipe` would then reach the
local stack instead of the cluster. It changes nothing; every problem is printed with what to do,
and the exit status is 1 if there is any.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from smartbank.deploy.skaffold import API_VERSION, FORWARDS

Version = tuple[int, ...]

# skaffold.yaml's schema (API_VERSION) first came with skaffold 2.15.0. The pods use native
# sidecars (init containers with restartPolicy Always), GA from Kubernetes 1.33, the oldest the
# manifests are validated for (tests/unit/deploy); kubectl is supported one minor version either
# side of its server; kind enforces NetworkPolicies from 0.24 and makes 1.33 nodes from 0.29.
MINIMUM = {"skaffold": (2, 15, 0), "kind": (0, 29, 0), "kubectl": (1, 32, 0)}
MINIMUM_SERVER = (1, 33, 0)
SCHEMA = "skaffold/v4beta13"
VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    detail: str


Run = Callable[[Sequence[str]], str]


def run(argv: Sequence[str]) -> str:
    """The command's standard output; "" when it is missing, fails or hangs."""
    if shutil.which(argv[0]) is None:
        return ""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout if done.returncode == 0 else ""


def parse_version(text: str) -> Version | None:
    found = VERSION.search(text)
    if found is None:
        return None
    return tuple(int(part or 0) for part in found.groups())


def shown(version: Version) -> str:
    return ".".join(str(part) for part in version)


def tool_versions(run: Run) -> dict[str, str]:
    """Each tool's own report of its version ("" if it is not installed)."""
    kubectl = run(["kubectl", "version", "--client", "-o", "json"])
    client = json.loads(kubectl).get("clientVersion", {}).get("gitVersion", "") if kubectl else ""
    return {
        "skaffold": run(["skaffold", "version"]).strip(),
        "kind": run(["kind", "version"]).strip(),
        "kubectl": client,
    }


def check_tools(versions: dict[str, str]) -> list[Finding]:
    findings = []
    for tool, least in MINIMUM.items():
        version = parse_version(versions.get(tool, ""))
        need = f"{tool} >= {shown(least)}"
        if version is None and tool == "kind":
            findings.append(Finding(True, tool, "not found: fine with another cluster"))
        elif version is None:
            findings.append(Finding(False, tool, f"not found; {need} is needed"))
        elif version < least:
            findings.append(Finding(False, tool, f"{shown(version)} is too old; {need}"))
        else:
            findings.append(Finding(True, tool, shown(version)))
    return findings


def check_server(run: Run) -> Finding:
    report = run(["kubectl", "version", "-o", "json", f"--request-timeout={TIMEOUT_SECONDS}s"])
    server = json.loads(report).get("serverVersion", {}).get("gitVersion", "") if report else ""
    version = parse_version(server)
    if version is None:
        hint = "no cluster answers: kind create cluster --name smartbank (then kubectl config"
        return Finding(False, "cluster", f"{hint} use-context kind-smartbank)")
    if version < MINIMUM_SERVER:
        need = f"Kubernetes >= {shown(MINIMUM_SERVER)} (native sidecars)"
        return Finding(False, "cluster", f"{shown(version)} is too old; {need}")
    return Finding(True, "cluster", f"Kubernetes {shown(version)}")


def port_taken(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def check_ports(taken: Callable[[int], bool] = port_taken) -> list[Finding]:
    findings = []
    for name, _, local in FORWARDS:
        if taken(local):
            detail = (
                f"127.0.0.1:{local} is in use (the local stack? `smartbank down`): skaffold"
                f" would forward {name} elsewhere and `smartbank` would reach what holds it"
            )
            findings.append(Finding(False, f"port {local}", detail))
        else:
            findings.append(Finding(True, f"port {local}", f"free for {name}"))
    return findings


def check(run: Run = run, taken: Callable[[int], bool] = port_taken) -> list[Finding]:
    findings = check_tools(tool_versions(run))
    if SCHEMA != API_VERSION:
        raise AssertionError(f"MINIMUM is for {SCHEMA}; skaffold.yaml says {API_VERSION}")
    findings.append(check_server(run))
    return findings + check_ports(taken)


def main() -> int:
    findings = check()
    for finding in findings:
        print(f"{'ok  ' if finding.ok else 'FAIL'} {finding.what:10} {finding.detail}")
    failed = [f for f in findings if not f.ok]
    print("ready for `skaffold dev`" if not failed else f"{len(failed)} to fix first")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
