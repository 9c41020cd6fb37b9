"""The rendered overlay's containers as podman runs them outside Kubernetes.

Each container of each workload (Deployment, StatefulSet, Job) is read off its pod template with
what the kubelet would give it: the image, command and arguments, the environment resolved from
its ConfigMaps (`envFrom` and `valueFrom`), the pod's and the container's security context
merged, the emptyDir and ConfigMap volumes it mounts, its memory and CPU limits, its ports and
its readiness probe. `run_argv` turns one into a `podman run` with the same constraints, for
`make rehearse` (smartbank.local.rehearse_pods).

What has no equivalent outside a cluster is refused rather than guessed: a Secret or field
reference that the overlay really sets, a volume kind other than emptyDir or ConfigMap. An
optional Secret that the overlay does not define is absent, as the kubelet treats it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Doc = dict[str, Any]
WORKLOADS = ("Deployment", "StatefulSet", "Job")
# Kubernetes quantities podman's flags take as they are, but for the binary suffixes.
MEMORY_SUFFIXES = {"Ki": "k", "Mi": "m", "Gi": "g"}


class Unsupported(ValueError):
    """The container needs something only a cluster has (a Secret's value, the pod's name)."""


@dataclass(frozen=True)
class Mount:
    """An emptyDir (`files` is None; `size` its sizeLimit) or a ConfigMap's files."""

    target: str
    size: str | None = None
    files: Mapping[str, str] | None = None
    read_only: bool = False


@dataclass(frozen=True)
class Probe:
    """The readiness probe: an HTTP GET of `path` on `port`, or a TCP connect if path is None."""

    port: int
    path: str | None


@dataclass(frozen=True)
class Container:
    workload: str
    kind: str
    name: str
    image: str
    command: tuple[str, ...]  # Kubernetes' command (the image's ENTRYPOINT when empty)
    args: tuple[str, ...]  # and args (the image's CMD when both are empty)
    env: Mapping[str, str]
    user: int | None
    group: int | None
    fs_group: int | None
    run_as_non_root: bool
    read_only_root: bool
    no_new_privileges: bool
    dropped: tuple[str, ...]
    seccomp: str | None
    mounts: tuple[Mount, ...]
    memory: str | None
    cpus: str | None
    working_dir: str | None
    ports: tuple[int, ...]
    readiness: Probe | None = None
    init: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    unsupported: str | None = None  # why it cannot run outside a cluster (run_argv refuses)


def config_maps(documents: Iterable[Doc]) -> dict[str, dict[str, str]]:
    return {
        d["metadata"]["name"]: dict(d.get("data") or {})
        for d in documents
        if d.get("kind") == "ConfigMap"
    }


def secrets(documents: Iterable[Doc]) -> set[str]:
    return {d["metadata"]["name"] for d in documents if d.get("kind") == "Secret"}


def containers(documents: Iterable[Doc]) -> list[Container]:
    """Every container (init containers first, as they start first) of every workload."""
    docs = list(documents)
    maps, known_secrets = config_maps(docs), secrets(docs)
    found = []
    for doc in docs:
        if doc.get("kind") not in WORKLOADS:
            continue
        template = doc["spec"]["template"]
        spec = template["spec"]
        for key in ("initContainers", "containers"):
            for raw in spec.get(key) or []:
                found.append(
                    container(doc, template, raw, maps, known_secrets, init=key != "containers")
                )
    return found


def container(
    doc: Doc,
    template: Doc,
    raw: Doc,
    maps: Mapping[str, Mapping[str, str]],
    known_secrets: set[str],
    *,
    init: bool,
) -> Container:
    spec = template["spec"]
    pod_security = spec.get("securityContext") or {}
    security = {**pod_security, **(raw.get("securityContext") or {})}
    limits = (raw.get("resources") or {}).get("limits") or {}
    ports = {
        p.get("name") or str(i): p["containerPort"] for i, p in enumerate(raw.get("ports") or [])
    }
    env: dict[str, str] = {}
    volumes: tuple[Mount, ...] = ()
    unsupported = None
    try:
        env = environment(raw, maps, known_secrets)
        volumes = tuple(mounts(spec, raw, maps))
    except Unsupported as exc:
        unsupported = str(exc)
    return Container(
        workload=doc["metadata"]["name"],
        kind=doc["kind"],
        name=raw["name"],
        image=raw["image"],
        command=tuple(raw.get("command", ())),
        args=tuple(raw.get("args", ())),
        env=env,
        user=security.get("runAsUser"),
        group=security.get("runAsGroup"),
        fs_group=pod_security.get("fsGroup"),
        run_as_non_root=bool(security.get("runAsNonRoot")),
        read_only_root=bool(security.get("readOnlyRootFilesystem")),
        no_new_privileges=security.get("allowPrivilegeEscalation") is False,
        dropped=tuple((security.get("capabilities") or {}).get("drop") or ()),
        seccomp=(security.get("seccompProfile") or {}).get("type"),
        mounts=volumes,
        memory=limits.get("memory"),
        cpus=limits.get("cpu"),
        working_dir=raw.get("workingDir"),
        ports=tuple(ports.values()),
        readiness=probe(raw.get("readinessProbe"), ports),
        init=init,
        labels=dict(template.get("metadata", {}).get("labels") or {}),
        unsupported=unsupported,
    )


def environment(
    raw: Doc, maps: Mapping[str, Mapping[str, str]], known_secrets: set[str]
) -> dict[str, str]:
    """The container's environment as the kubelet builds it: `envFrom` in order, then `env`."""
    env: dict[str, str] = {}
    for source in raw.get("envFrom") or []:
        if "configMapRef" in source:
            ref = source["configMapRef"]
            if ref.get("optional") and ref["name"] not in maps:
                continue  # absent and optional: the kubelet sets nothing from it
            env |= config_map(maps, ref)
        elif "secretRef" in source:
            ref = source["secretRef"]
            if ref["name"] in known_secrets or not ref.get("optional"):
                raise Unsupported(f"{raw['name']} takes its environment from Secret {ref['name']}")
    for item in raw.get("env") or []:
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        source = item.get("valueFrom") or {}
        secret = source.get("secretKeyRef")
        if secret and secret.get("optional") and secret["name"] not in known_secrets:
            continue  # the kubelet leaves it unset
        ref = source.get("configMapKeyRef")
        if ref is None:
            raise Unsupported(f"{raw['name']}'s {item['name']} comes from {item.get('valueFrom')}")
        env[item["name"]] = config_map(maps, ref)[ref["key"]]
    return env


def config_map(maps: Mapping[str, Mapping[str, str]], ref: Doc) -> Mapping[str, str]:
    if ref["name"] not in maps:
        raise Unsupported(f"ConfigMap {ref['name']} is not in the overlay")
    return maps[ref["name"]]


def mounts(spec: Doc, raw: Doc, maps: Mapping[str, Mapping[str, str]]) -> Iterator[Mount]:
    volumes = {v["name"]: v for v in spec.get("volumes") or []}
    for mount in raw.get("volumeMounts") or []:
        volume = volumes[mount["name"]]
        read_only = bool(mount.get("readOnly"))
        if "emptyDir" in volume:
            size = (volume["emptyDir"] or {}).get("sizeLimit")
            yield Mount(mount["mountPath"], size=size, read_only=read_only)
        elif "configMap" in volume:
            files = config_map(maps, volume["configMap"])
            yield Mount(mount["mountPath"], files=files, read_only=True)
        else:
            raise Unsupported(f"{raw['name']} mounts a {sorted(volume)} volume")


def probe(raw: Doc | None, ports: Mapping[str | None, int]) -> Probe | None:
    check = (raw or {}).get("httpGet") or (raw or {}).get("tcpSocket")
    if not raw or not check:
        return None  # none, or an exec probe: a command only the image knows
    port = check["port"]
    number = ports[port] if isinstance(port, str) else int(str(port))
    return Probe(number, raw["httpGet"]["path"] if "httpGet" in raw else None)


def memory(quantity: str) -> str:
    """A Kubernetes memory quantity as podman's --memory takes it (256Mi → 256m)."""
    for suffix, short in MEMORY_SUFFIXES.items():
        if quantity.endswith(suffix):
            return quantity.removesuffix(suffix) + short
    return quantity


def cpus(quantity: str) -> str:
    """A Kubernetes CPU quantity as podman's --cpus takes it (500m → 0.5)."""
    if quantity.endswith("m"):
        return f"{int(quantity[:-1]) / 1000:g}"
    return quantity


def run_argv(
    c: Container,
    *,
    name: str,
    image: str,
    files: Mapping[str, str],
    hosts: Mapping[str, str],
    ulimits: Mapping[str, int],
) -> list[str]:
    """`podman run` of `c` on the host's network (`hosts` maps the cluster's service names),
    with the pod's user, read-only root, dropped capabilities, no privilege escalation, seccomp,
    limits and volumes: an emptyDir as a tmpfs of its sizeLimit, a ConfigMap as the directory
    `files[target]` holds its keys in, read-only."""
    if c.unsupported:
        raise Unsupported(f"{c.workload}/{c.name}: {c.unsupported}")
    argv = ["run", "--detach", "--name", name, "--network", "host"]
    if c.user is not None:  # without runAsGroup, the image's group, as the kubelet leaves it
        argv += ["--user", f"{c.user}:{c.group}" if c.group is not None else str(c.user)]
    if c.fs_group is not None:  # the volumes' group, which the container's processes join
        argv += ["--group-add", str(c.fs_group)]
    if c.read_only_root:
        argv += ["--read-only", "--read-only-tmpfs=false"]
    argv += [f"--cap-drop={cap}" for cap in c.dropped]
    if c.no_new_privileges:
        argv += ["--security-opt", "no-new-privileges"]
    if c.seccomp not in (None, "RuntimeDefault"):
        raise Unsupported(f"{c.workload}/{c.name} asks for seccomp profile {c.seccomp}")
    if c.memory:
        argv += ["--memory", memory(c.memory)]
    if c.cpus:
        argv += ["--cpus", cpus(c.cpus)]
    argv += [f"--ulimit={key}={value}:{value}" for key, value in ulimits.items()]
    for mount in c.mounts:
        if mount.files is None:
            size = f",size={memory(mount.size)}" if mount.size else ""
            access = "ro" if mount.read_only else "rw"
            argv += ["--tmpfs", f"{mount.target}:{access},mode=1777{size}"]
        else:
            argv += ["--volume", f"{files[mount.target]}:{mount.target}:ro"]
    argv += [f"--add-host={host}:{address}" for host, address in hosts.items()]
    for key, value in c.env.items():
        argv += ["--env", f"{key}={value}"]
    if c.working_dir:
        argv += ["--workdir", c.working_dir]
    if c.command:
        return [*argv, "--entrypoint", c.command[0], image, *c.command[1:], *c.args]
    return [*argv, image, *c.args]
