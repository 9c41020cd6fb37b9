"""`make rehearse`: both overlays applied to a real Kubernetes API server, server-side dry run.

    python -m smartbank.deploy.rehearse [--overlay dev --overlay prod]

There is no cluster here, but a kube-apiserver is a Go program and etcd a Debian package: this
builds kube-apiserver from the Go module proxy (k8s.io/kubernetes, with its staging modules
replaced by their published versions; cached under ~/.cache/smartbank/rehearse), starts it on
loopback over a throwaway etcd, applies `deploy/k8s/namespace.yaml` for real (restricted Pod
Security enforced) and then every rendered manifest with `kubectl apply --dry-run=server`. So
the API server's own validation, defaulting and admission (Pod Security among them) judge the
manifests, not only schemas. A Pod Security warning on any pod template fails the rehearsal,
and so does a bare pod (none of the restricted settings) that the namespace fails to refuse,
the control that admission is really on. Nothing is scheduled: there is no kubelet, controller
or network plugin, so what only a running cluster shows (images, probes, NetworkPolicy
enforcement) is beyond it. It needs Go, etcd (Debian's etcd-server), openssl and kubectl.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from smartbank.deploy.skaffold import NAMESPACE, NAMESPACE_FILE, OVERLAYS

KUBERNETES = "v1.37.2"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "smartbank/rehearse"
STAGING = re.compile(r"^\s*(k8s\.io/[a-z0-9-]+) => \./staging/", re.M)
READY_TIMEOUT_S = 90.0
TOKEN = "rehearsal-token"
# A pod with none of the restricted profile's settings (non-root, no privilege escalation, all
# capabilities dropped, a seccomp profile): the controls Pod Security must refuse and warn of.
BARE_POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "must-be-refused"},
    "spec": {"containers": [{"name": "c", "image": "busybox"}]},
}


def staging_modules(kubernetes_go_mod: str) -> list[str]:
    """The modules k8s.io/kubernetes replaces with its own staging directories."""
    return STAGING.findall(kubernetes_go_mod)


def go_mod(kubernetes: str, staging: Sequence[str]) -> str:
    """A module that builds kube-apiserver `kubernetes` from the module proxy: each staging module
    is replaced by its published release (v1.X.Y's staging modules are v0.X.Y)."""
    published = "v0." + kubernetes.removeprefix("v").split(".", 1)[1]
    replaces = "".join(f"replace {name} => {name} {published}\n" for name in staging)
    header = f"module smartbank/rehearse\n\ngo 1.26\n\nrequire k8s.io/kubernetes {kubernetes}\n\n"
    return header + replaces


def go_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "GOFLAGS": "-mod=mod", "GOCACHE": str(cache / "gocache")}


def build_apiserver(cache: Path = CACHE, kubernetes: str = KUBERNETES) -> Path:
    """kube-apiserver `kubernetes`, built once into `cache`."""
    binary = cache / f"kube-apiserver-{kubernetes}"
    if binary.exists():
        return binary
    if shutil.which("go") is None:
        raise SystemExit("rehearse needs Go to build kube-apiserver (https://go.dev/dl)")
    source = cache / f"src-{kubernetes}"
    source.mkdir(parents=True, exist_ok=True)
    env = go_env(cache)
    module = f"k8s.io/kubernetes@{kubernetes}"
    found = subprocess.run(
        ["go", "mod", "download", "-json", module],
        capture_output=True, text=True, check=True, env=env, cwd=source,
    )  # fmt: skip
    staging = staging_modules(Path(json.loads(found.stdout)["GoMod"]).read_text())
    (source / "go.mod").write_text(go_mod(kubernetes, staging))
    started = time.monotonic()
    print(f"building kube-apiserver {kubernetes} (once; several minutes on two cores)", flush=True)
    command = f"k8s.io/kubernetes/cmd/kube-apiserver@{kubernetes}"
    subprocess.run(["go", "get", command], check=True, env=env, cwd=source)
    target = "k8s.io/kubernetes/cmd/kube-apiserver"
    partial = binary.with_suffix(".partial")
    subprocess.run(["go", "build", "-o", str(partial), target], check=True, env=env, cwd=source)
    partial.rename(binary)
    print(f"built in {time.monotonic() - started:.0f} s: {binary}", flush=True)
    return binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ApiServer:
    kubeconfig: Path

    def kubectl(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        argv = ["kubectl", "--kubeconfig", str(self.kubeconfig), *args]
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=300)

    def dry_run(self, manifests: str, *namespace: str) -> subprocess.CompletedProcess[str]:
        """`kubectl apply --dry-run=server` of `manifests` (YAML or JSON)."""
        return self.kubectl("apply", "--dry-run=server", *namespace, "-f", "-", stdin=manifests)


@contextmanager
def api_server(binary: Path) -> Iterator[ApiServer]:
    """etcd and kube-apiserver on loopback, in a temporary directory, stopped on exit."""
    etcd = shutil.which("etcd")
    if etcd is None:
        raise SystemExit("rehearse needs etcd: apt-get install etcd-server")
    with tempfile.TemporaryDirectory(prefix="smartbank-rehearse-") as scratch:
        root = Path(scratch)
        client, peer, secure = free_port(), free_port(), free_port()
        subprocess.run(
            ["openssl", "genrsa", "-out", str(root / "sa.key"), "2048"],
            check=True, capture_output=True,
        )  # fmt: skip
        (root / "tokens.csv").write_text(f"{TOKEN},admin,admin,system:masters\n")
        processes = [
            subprocess.Popen(
                [etcd, "--data-dir", str(root / "etcd"),
                 "--listen-client-urls", f"http://127.0.0.1:{client}",
                 "--advertise-client-urls", f"http://127.0.0.1:{client}",
                 "--listen-peer-urls", f"http://127.0.0.1:{peer}"],
                stdout=subprocess.DEVNULL, stderr=(root / "etcd.log").open("w"),
            )
        ]  # fmt: skip
        processes.append(
            subprocess.Popen(
                [str(binary), f"--etcd-servers=http://127.0.0.1:{client}",
                 "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
                 f"--secure-port={secure}", f"--cert-dir={root / 'certs'}",
                 f"--token-auth-file={root / 'tokens.csv'}", "--authorization-mode=RBAC",
                 "--service-account-issuer=https://kubernetes.default.svc",
                 f"--service-account-key-file={root / 'sa.key'}",
                 f"--service-account-signing-key-file={root / 'sa.key'}",
                 "--service-cluster-ip-range=10.96.0.0/16",
                 # No node will ever serve `kubernetes.default` on loopback.
                 "--endpoint-reconciler-type=none"],
                stdout=subprocess.DEVNULL, stderr=(root / "apiserver.log").open("w"),
            )
        )  # fmt: skip
        kubeconfig = root / "kubeconfig"
        kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "r", "cluster": {
                        "server": f"https://127.0.0.1:{secure}",
                        "insecure-skip-tls-verify": True}}],
                    "users": [{"name": "r", "user": {"token": TOKEN}}],
                    "contexts": [{"name": "r", "context": {"cluster": "r", "user": "r"}}],
                    "current-context": "r",
                }
            )
        )  # fmt: skip
        server = ApiServer(kubeconfig)
        try:
            wait_ready(server, root, processes[-1])
            yield server
        finally:
            for process in reversed(processes):
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def wait_ready(server: ApiServer, root: Path, apiserver: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline and apiserver.poll() is None:
        if server.kubectl("get", "--raw", "/readyz").stdout.strip() == "ok":
            return
        time.sleep(1)
    log = (root / "apiserver.log").read_text()[-3000:]
    raise SystemExit(f"kube-apiserver did not get ready (within {READY_TIMEOUT_S:.0f} s):\n{log}")


@dataclass
class Outcome:
    overlay: str
    ok: bool
    objects: int
    problems: list[str]


def rehearse_overlay(server: ApiServer, overlay: str) -> Outcome:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(OVERLAYS / overlay)],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    applied = server.dry_run(rendered)
    lines = (applied.stdout + applied.stderr).splitlines()
    problems = [line for line in lines if "Warning" in line or "rror" in line]
    created = [line for line in applied.stdout.splitlines() if "(server dry run)" in line]
    return Outcome(overlay, applied.returncode == 0 and not problems, len(created), problems)


def admission_is_enforced(server: ApiServer) -> list[str]:
    """Nothing when the namespace refuses a pod that breaks the restricted profile and warns of
    such a pod template (the warning `rehearse_overlay` looks for); what went wrong otherwise."""
    server.kubectl("create", "serviceaccount", "default", "-n", NAMESPACE)  # no controller here
    pod = json.dumps(BARE_POD)
    tried = server.dry_run(pod, "-n", NAMESPACE)
    problems = []
    if tried.returncode == 0 or "violates PodSecurity" not in tried.stderr:
        problems.append(f"a bare pod was not refused: {tried.stdout}{tried.stderr}".strip())
    template = {key: BARE_POD[key] for key in ("metadata", "spec")}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "must-be-warned"},
        "spec": {
            "selector": {"matchLabels": {"app": "c"}},
            "template": {**template, "metadata": {"labels": {"app": "c"}}},
        },
    }
    warned = server.dry_run(json.dumps(deployment), "-n", NAMESPACE)
    if "would violate PodSecurity" not in warned.stderr:
        problems.append(f"a bare pod template drew no warning: {warned.stderr}".strip())
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlay", action="append", choices=("dev", "prod"))
    overlays = parser.parse_args(argv).overlay or ["dev", "prod"]
    started = time.monotonic()
    binary = build_apiserver()
    with api_server(binary) as server:
        namespace = server.kubectl("apply", "-f", NAMESPACE_FILE)
        if namespace.returncode != 0:
            raise SystemExit(f"the namespace was refused: {namespace.stderr}")
        outcomes = [rehearse_overlay(server, overlay) for overlay in overlays]
        controls = admission_is_enforced(server)
    failed = bool(controls) or not all(o.ok for o in outcomes)
    for outcome in outcomes:
        verdict = "ok  " if outcome.ok else "FAIL"
        print(f"{verdict} overlays/{outcome.overlay}: {outcome.objects} objects accepted (dry run)")
        for problem in outcome.problems:
            print(f"     {problem}")
    for problem in controls:
        print(f"FAIL {problem}")
    if not controls:
        print("ok   Pod Security is on: a bare pod is refused, a bare pod template warned of")
    print(f"rehearsal {'failed' if failed else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
