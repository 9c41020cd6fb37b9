"""`make rehearse`, the image half: every image built from docker/Dockerfile with podman and run
as its pod would run it, against the real parts, until its readiness probe passes.

    python -m smartbank.local.rehearse_pods [--skip-build]

There is no registry to pull `python:3.11-slim` from here and no Docker engine, but Debian's
podman and runc run, and debootstrap builds a Debian image from Debian's packages:

1. **Base.** Debian bookworm (minbase, with Debian's Python 3.11 and venv) by debootstrap, once,
   imported as `localhost/smartbank-rehearse-python:3.11-bookworm` and passed as the build
   argument PYTHON_IMAGE. It stands in for python:3.11.15-slim-bookworm: the same Debian
   release, Debian's own Python 3.11 in /usr/bin instead of python.org's in /usr/local/bin.
2. **Build.** Every skaffold artifact (one image per service, the test and schema targets, and
   docker/jmx-exporter) with skaffold's contexts and build arguments; podman keeps the layers,
   so a second run only rebuilds what changed. The host's CA bundle (PIP_CERT), if set, is
   mounted for pip during the build only: it is in no layer.
3. **Real parts.** Apache Cassandra, Apache Kafka and Jaeger from `make real-parts` on loopback
   at the cluster's ports (9042, 9092, 4318), the topics as the kafka-topics Job creates them.
4. **Pods.** The rendered dev overlay's containers (smartbank.deploy.podman) that are built here,
   each with its pod's user, read-only root, dropped capabilities, no privilege escalation,
   seccomp, memory and CPU limits, volumes and environment. The cassandra-schema Job runs
   first and must exit 0, and so must the init containers built here that run beside an
   upstream image (Kafka's and Cassandra's JMX exporter copy, as those pods' users); then
   every Deployment with replicas starts and must pass its
   readiness probe; inside each, the process must be the pod's user with no capabilities,
   no_new_privs and a seccomp filter, and its root must refuse a write. Last, the test image's
   own target (pytest tests/contract) runs with the integration-tests Job's settings against
   Cassandra and Kafka.

The containers share the host's network, the cluster's service names mapped to loopback, so
what needs a pod network is beyond it: the Envoy sidecars and the edge (upstream images, each
sidecar on the same port), NetworkPolicy, the Service routing. It needs podman, runc and
debootstrap (apt-get install podman runc debootstrap), the real parts and root.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from smartbank.deploy import podman, skaffold
from smartbank.deploy.cluster_images import render
from smartbank.deploy.rehearse import CACHE
from smartbank.events.topics import ensure_topics
from smartbank.local.launcher import health
from smartbank.local.launcher.infra.real import TOPIC_PARTITIONS
from smartbank.local.launcher.ports import taken
from smartbank.local.real import cassandra, jaeger, kafka, parts
from smartbank.registry import topics

PODMAN = ["podman", "--cgroup-manager=cgroupfs", "--runtime=runc"]
BASE_IMAGE = "localhost/smartbank-rehearse-python:3.11-bookworm"
DEBIAN = ("bookworm", "http://deb.debian.org/debian")
BASE_PACKAGES = (
    "python3.11", "python3.11-venv", "python3-distutils", "python3-lib2to3", "python3-pip-whl",
    "python3-setuptools-whl", "python-is-python3",
)  # fmt: skip
PREFIX = "smartbank-rehearse-"
LOOPBACK = "127.0.0.1"
# The cluster's ports for the parts (the platform ConfigMap names kafka:9092, cassandra with
# the driver's default 9042, jaeger:4318); their other ports are free ones.
CASSANDRA_PORT, KAFKA_PORT = 9042, 9092
READY_TIMEOUT_S = 180.0
JOB_TIMEOUT_S = 600.0
SCHEMA_JOB = "cassandra-schema"
TEST_JOB = "integration-tests"
# What runc may set without CAP_SYS_RESOURCE (a sandbox's root may lack it): explicit limits at
# or below the host's hard ones, high enough for a service.
ULIMITS = {"nofile": 16384, "nproc": 4096}
Starter = Callable[[podman.Container], str]  # starts a container, returns its name


@dataclass
class Report:
    """Each outcome printed as it comes; `failed` once any was a failure."""

    failed: bool = False

    def ok(self, what: str) -> None:
        print(f"ok   {what}", flush=True)

    def fail(self, what: str) -> None:
        self.failed = True
        print(f"FAIL {what}", flush=True)


def engine(*args: str, timeout: float = 120.0, check: bool = True) -> str:
    result = subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args[:3])} failed: {result.stderr.strip()}")
    return result.stdout


def missing_tools() -> list[str]:
    found = [t for t in ("podman", "runc", "debootstrap") if shutil.which(t) is None]
    return [f"{', '.join(found)}: apt-get install podman runc debootstrap"] if found else []


def base_image(cache: Path = CACHE) -> str:
    """The stand-in base, built by debootstrap and imported into podman once."""
    if image_exists(BASE_IMAGE):
        return BASE_IMAGE
    root = cache / "debian-rootfs"
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    suite, mirror = DEBIAN
    print(f"debootstrap Debian {suite} with Python 3.11 (once, about a minute)", flush=True)
    subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}",
         suite, str(root), mirror],
        check=True, stdout=subprocess.DEVNULL, timeout=1200,
    )  # fmt: skip
    for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
        shutil.rmtree(root / leftover, ignore_errors=True)
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    subprocess.run(
        [*PODMAN, "import", "--change", "ENV LANG=C.UTF-8", "-", BASE_IMAGE],
        stdin=tar.stdout, check=True, stdout=subprocess.DEVNULL, timeout=600,
    )  # fmt: skip
    tar.wait()
    shutil.rmtree(root, ignore_errors=True)
    return BASE_IMAGE


def image_exists(name: str) -> bool:
    return subprocess.run([*PODMAN, "image", "exists", name], capture_output=True).returncode == 0


def build_argv(artifact: Mapping[str, object], base: str, secrets: Sequence[str]) -> list[str]:
    """`podman build` of one skaffold artifact, from the stand-in base."""
    docker = artifact["docker"]
    assert isinstance(docker, dict)
    dockerfile = Path(str(artifact["context"]), str(docker["dockerfile"]))  # skaffold's: relative
    argv = ["build", "--network", "host", "--file", str(dockerfile)]
    argv += ["--build-arg", f"PYTHON_IMAGE={base}"]
    for key, value in (docker.get("buildArgs") or {}).items():
        argv += ["--build-arg", f"{key}={value}"]
    if docker.get("target"):
        argv += ["--target", str(docker["target"])]
    for volume in secrets:
        argv += ["--volume", volume]
    return [*argv, "--tag", str(artifact["image"]), str(artifact["context"])]


@contextmanager
def pip_trust() -> Iterator[list[str]]:
    """Build volumes that make pip trust what the host trusts (PIP_CERT), or none."""
    cert = os.environ.get("PIP_CERT")
    if not cert or not Path(cert).is_file():
        yield []
        return
    with tempfile.TemporaryDirectory(prefix=PREFIX) as scratch:
        conf = Path(scratch, "pip.conf")
        conf.write_text("[global]\ncert = /run/smartbank-ca.pem\n")
        yield [f"{cert}:/run/smartbank-ca.pem:ro", f"{conf}:/etc/pip.conf:ro"]


def build_images(base: str, report: Report) -> None:
    artifacts = skaffold.render()["build"]["artifacts"]
    with pip_trust() as secrets:
        for artifact in artifacts:
            began = time.monotonic()
            argv = build_argv(artifact, base, secrets)
            built = subprocess.run([*PODMAN, *argv], capture_output=True, text=True, timeout=1800)
            seconds = time.monotonic() - began
            if built.returncode != 0:
                report.fail(f"build {artifact['image']}: {built.stdout[-2000:]}{built.stderr}")
                continue
            size = engine("image", "inspect", "--format", "{{.Size}}", artifact["image"])
            report.ok(f"built {artifact['image']} in {seconds:.0f} s ({int(size) / 2**20:.0f} MiB)")


def check_ports_free(containers: Sequence[podman.Container]) -> None:
    """Every port the parts and the containers take on the host's network must be free: a port
    already answering would pass a container's probe before the container does."""
    ports = {CASSANDRA_PORT: "Cassandra", KAFKA_PORT: "Kafka", jaeger.OTLP_HTTP_PORT: "Jaeger"}
    for container in containers:
        probed = (container.readiness.port,) if container.readiness else ()
        ports |= {port: container.workload for port in (*container.ports, *probed)}
    if busy := taken(ports):
        names = ", ".join(f"{port} ({what})" for port, what in busy.items())
        raise SystemExit(f"rehearse needs these ports, which are in use: {names} (`make run`?)")


@contextmanager
def real_parts(root: Path) -> Iterator[None]:
    """Cassandra, Kafka and Jaeger at the cluster's ports, the topics created."""
    for part in parts.all_parts():
        part.require()
    with ExitStack() as stack:
        stack.enter_context(cassandra.running_cassandra(root / "cassandra", CASSANDRA_PORT))
        stack.enter_context(kafka.running_kafka(root / "kafka", KAFKA_PORT))
        ports = dataclasses.replace(jaeger.Ports.free(), otlp_http=jaeger.OTLP_HTTP_PORT)
        stack.enter_context(jaeger.running_jaeger(root / "jaeger", ports))
        bootstrap = f"{LOOPBACK}:{KAFKA_PORT}"
        asyncio.run(ensure_topics(bootstrap, topics(), partitions=TOPIC_PARTITIONS))
        yield


def materialise(container: podman.Container, scratch: Path) -> dict[str, str]:
    """Each ConfigMap volume's keys as files in a directory of its own, for a bind mount."""
    found = {}
    for index, mount in enumerate(container.mounts):
        if mount.files is None:
            continue
        directory = scratch / f"{container.workload}-{container.name}-{index}"
        directory.mkdir(parents=True)
        for key, text in mount.files.items():
            (directory / key).write_text(text)
        found[mount.target] = str(directory)
    return found


def start(
    container: podman.Container, scratch: Path, hosts: Mapping[str, str], *, suffix: str = ""
) -> str:
    name = f"{PREFIX}{container.workload}{suffix}"
    engine("rm", "--force", name, check=False)
    argv = podman.run_argv(
        container,
        name=name,
        image=container.image,
        files=materialise(container, scratch),
        hosts=hosts,
        ulimits=effective_ulimits(),
    )
    engine(*argv)
    return name


def effective_ulimits() -> dict[str, int]:
    limits = {"nofile": resource.RLIMIT_NOFILE, "nproc": resource.RLIMIT_NPROC}
    chosen = {}
    for key, wanted in ULIMITS.items():
        hard = resource.getrlimit(limits[key])[1]
        chosen[key] = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    return chosen


def wait_exit(name: str, timeout: float) -> int:
    code = engine("wait", name, timeout=timeout).strip()
    return int(code)


def probe_ok(name: str, probe: podman.Probe) -> bool:
    """The kubelet's probe, as the launcher probes its processes (no proxy, a bounded wait)."""
    where = (
        f"http://{LOOPBACK}:{probe.port}{probe.path}"
        if probe.path
        else f"tcp://{LOOPBACK}:{probe.port}"
    )
    return health.probe(health.Component(name, "pod", where)).ready


def wait_ready(name: str, probe: podman.Probe, began: float) -> float:
    """Seconds from `began` (the container's start) to its probe's first pass."""
    while time.monotonic() - began < READY_TIMEOUT_S:
        if engine("inspect", "--format", "{{.State.Running}}", name).strip() != "true":
            raise RuntimeError(f"{name} exited: {logs(name)}")
        if probe_ok(name, probe):
            return time.monotonic() - began
        time.sleep(0.5)
    raise RuntimeError(f"{name} not ready within {READY_TIMEOUT_S:.0f} s: {logs(name)}")


def logs(name: str, lines: int = 15) -> str:
    return engine("logs", "--tail", str(lines), name, check=False)


# Run inside a container: what the kernel says the process may do, and whether / is writable.
INSPECT = (
    "import os, json\n"
    "status = dict(l.split(':\\t', 1) for l in open('/proc/1/status').read().splitlines()"
    " if ':\\t' in l)\n"
    "try:\n"
    "    open('/rehearse-write-test', 'w').close(); root = 'writable'\n"
    "except OSError as exc:\n"
    "    root = exc.strerror\n"
    "print(json.dumps({'uid': os.getuid(), 'gid': os.getgid(), 'cap_eff': status['CapEff'],"
    " 'no_new_privs': status['NoNewPrivs'], 'seccomp': status['Seccomp'], 'root': root}))"
)


def confinement(name: str) -> dict[str, object]:
    seen: dict[str, object] = json.loads(engine("exec", name, "python", "-c", INSPECT))
    return seen


def confinement_problems(container: podman.Container, seen: Mapping[str, object]) -> list[str]:
    """What differs between the container's process and its pod's security context."""
    problems = []
    if container.run_as_non_root and seen["uid"] == 0:
        problems.append("runs as root, which runAsNonRoot refuses")
    if container.user is not None and seen["uid"] != container.user:
        problems.append(f"runs as uid {seen['uid']}, not {container.user}")
    if container.group is not None and seen["gid"] != container.group:
        problems.append(f"runs as gid {seen['gid']}, not {container.group}")
    if "ALL" in container.dropped and int(str(seen["cap_eff"]), 16) != 0:
        problems.append(f"keeps capabilities {seen['cap_eff']}")
    if container.no_new_privileges and seen["no_new_privs"] != "1":
        problems.append("may gain privileges (no_new_privs is off)")
    if seen["seccomp"] != "2":
        problems.append(f"has no seccomp filter (mode {seen['seccomp']})")
    if container.read_only_root and seen["root"] == "writable":
        problems.append("can write to its root filesystem")
    return problems


def memory_mib(name: str) -> float:
    stats = json.loads(engine("stats", "--no-stream", "--format", "json", name))
    usage = str(stats[0]["mem_usage"]).split("/")[0].strip()
    number, unit = float(usage[:-2]), usage[-2:]
    return number * {"kB": 1 / 1024, "MB": 1e6 / 2**20, "GB": 1e9 / 2**20}.get(unit, 1.0)


def run_to_exit(
    report: Report, what: str, container: podman.Container, names: list[str], start_: Starter
) -> bool:
    """Run `container` until it exits and report it (with its log's last line); True on 0."""
    names.append(start_(container))
    began = time.monotonic()
    code = wait_exit(names[-1], JOB_TIMEOUT_S)
    seconds = time.monotonic() - began
    if code != 0:
        report.fail(f"{what} exited {code}: {logs(names[-1], 40)}")
        return False
    tail = logs(names[-1], lines=3).strip().splitlines()
    report.ok(f"{what} exited 0 ({seconds:.0f} s){': ' + tail[-1] if tail else ''}")
    return True


def rehearse_pods(report: Report, documents: list[podman.Doc]) -> None:
    built = {str(a["image"]) for a in skaffold.render()["build"]["artifacts"]}
    everything = [c for c in podman.containers(documents) if c.image in built]
    replicas = {
        d["metadata"]["name"]: d["spec"].get("replicas", 1)
        for d in documents
        if d.get("kind") == "Deployment"
    }
    services = [d["metadata"]["name"] for d in documents if d.get("kind") == "Service"]
    hosts = {name: LOOPBACK for name in services}
    check_ports_free(everything)
    with tempfile.TemporaryDirectory(prefix=PREFIX) as scratch_dir, ExitStack() as stack:
        scratch = Path(scratch_dir)
        stack.enter_context(real_parts(scratch / "parts"))
        names: list[str] = []
        stack.callback(lambda: [engine("rm", "--force", n, check=False) for n in names])

        def start_(container: podman.Container, suffix: str = "") -> str:
            return start(container, scratch, hosts, suffix=suffix)

        (schema,) = [c for c in everything if c.workload == SCHEMA_JOB]
        if not run_to_exit(report, f"Job {SCHEMA_JOB}, as its pod runs it,", schema, names, start_):
            return  # the services would wait for a schema that is not there
        for init in [c for c in everything if c.init]:  # beside an upstream image's container
            what = f"{init.workload}'s init container {init.name}, as uid {init.user},"
            suffixed = functools.partial(start_, suffix=f"-{init.name}")
            run_to_exit(report, what, init, names, suffixed)
        deployments = [c for c in everything if c.kind == "Deployment" and not c.init]
        started = []
        for container in deployments:
            if replicas.get(container.workload, 1) == 0:
                report.ok(f"{container.workload}: 0 replicas in dev, not started")
                continue
            names.append(start_(container))
            started.append((container, names[-1], time.monotonic()))
        for container, name, since in started:
            check_pod(report, container, name, since)
        (tests,) = [c for c in everything if c.workload == TEST_JOB]
        target = dataclasses.replace(tests, command=(), args=())  # the image's CMD: its target
        what = f"the test image's target, as {TEST_JOB} runs,"
        run_to_exit(report, what, target, names, functools.partial(start_, suffix="-target"))


def check_pod(report: Report, container: podman.Container, name: str, since: float) -> None:
    what = container.workload
    if container.readiness is None:
        report.fail(f"{what} has no readiness probe")
        return
    try:
        seconds = wait_ready(name, container.readiness, since)
    except RuntimeError as exc:
        report.fail(f"{what}: {exc}")
        return
    problems = confinement_problems(container, confinement(name))
    if problems:
        report.fail(f"{what}: " + "; ".join(problems))
        return
    limit = f" of {container.memory}" if container.memory else ""
    report.ok(
        f"{what}: ready in {seconds:.1f} s, uid {container.user}, no capabilities, "
        f"no_new_privs, seccomp, read-only root; {memory_mib(name):.0f} MiB{limit}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlay", default="dev", choices=("dev",))
    parser.add_argument("--skip-build", action="store_true", help="run the images built before")
    options = parser.parse_args(argv)
    if problems := missing_tools():
        raise SystemExit("rehearse needs " + "; ".join(problems))
    report = Report()
    began = time.monotonic()
    if not options.skip_build:
        build_images(base_image(), report)
        report.ok(f"images built in {time.monotonic() - began:.0f} s")
    if not report.failed:
        documents = [d for d in yaml.safe_load_all(render(options.overlay)) if d]
        rehearse_pods(report, documents)
    verdict = "failed" if report.failed else "passed"
    print(f"image rehearsal {verdict} in {time.monotonic() - began:.0f} s", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
