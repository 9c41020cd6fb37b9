"""`make rehearse`'s image half: the dev overlay's containers read as the kubelet would run them,
and the `podman run` that keeps each one's constraints."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartbank.deploy import podman, skaffold
from smartbank.local import rehearse_pods
from tests.unit.deploy.k8s_render import documents

ULIMITS = {"nofile": 16384, "nproc": 4096}
ROOT = Path(__file__).resolve().parents[3]


def dev_containers() -> dict[tuple[str, str], podman.Container]:
    return {(c.workload, c.name): c for c in podman.containers(documents("overlays/dev"))}


def test_a_service_container_has_its_pods_security_context_env_limits_and_probe() -> None:
    app = dev_containers()[("card-processing", "app")]
    assert (app.user, app.group, app.run_as_non_root) == (10001, 10001, True)
    assert app.read_only_root and app.no_new_privileges and app.dropped == ("ALL",)
    assert app.seccomp == "RuntimeDefault"
    assert (app.memory, app.cpus) == ("256Mi", "500m")
    # envFrom in order: the platform's ConfigMap, then the service's own.
    assert app.env["STORAGE"] == "cassandra" and app.env["KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert app.env["SERVICE_NAME"] == "card-processing" and app.env["PORT"] == "8104"
    assert app.readiness == podman.Probe(8104, "/readyz")
    assert app.mounts == (podman.Mount("/tmp", size="64Mi"),)


def test_a_sidecar_is_an_init_container_with_its_config_maps_files() -> None:
    envoy = dev_containers()[("card-processing", "envoy")]
    assert envoy.init and envoy.image.startswith("envoyproxy/envoy:")
    (config,) = [m for m in envoy.mounts if m.files is not None]
    assert config.target == "/etc/envoy" and config.read_only
    assert "static_resources" in config.files["envoy.yaml"]  # type: ignore[index]


def test_a_jobs_env_from_config_map_keys_and_literal_values() -> None:
    containers = dev_containers()
    schema = containers[("cassandra-schema", "schema")]
    assert schema.env == {"CASSANDRA_HOSTS": "cassandra", "CASSANDRA_REPLICATION_FACTOR": "1"}
    assert schema.command == ("python", "-m", "smartbank.deploy.cassandra_schema")
    tests = containers[("integration-tests", "tests")]
    assert tests.env["EDGE_URL"] == "http://edge:8090" and tests.working_dir == "/app"


def test_an_optional_secret_the_overlay_lacks_is_absent_and_a_real_one_is_refused() -> None:
    assert "APNS_KEY" not in dev_containers()[("apns", "app")].env  # apns-credentials: optional
    with pytest.raises(podman.Unsupported, match="Secret"):
        podman.environment(
            {"name": "c", "envFrom": [{"secretRef": {"name": "s"}}]}, {}, known_secrets={"s"}
        )
    with pytest.raises(podman.Unsupported, match="fieldRef"):
        field = {"fieldRef": {"fieldPath": "metadata.name"}}
        podman.environment({"name": "c", "env": [{"name": "P", "valueFrom": field}]}, {}, set())


def test_podman_runs_the_container_with_the_same_constraints() -> None:
    app = dev_containers()[("card-processing", "app")]
    argv = podman.run_argv(
        app, name="n", image="smartbank-card-processing", files={},
        hosts={"kafka": "127.0.0.1"}, ulimits=ULIMITS,
    )  # fmt: skip
    joined = " ".join(argv)
    for flag in (
        "--network host", "--user 10001:10001", "--read-only --read-only-tmpfs=false",
        "--cap-drop=ALL", "--security-opt no-new-privileges", "--memory 256m", "--cpus 0.5",
        "--ulimit=nofile=16384:16384", "--tmpfs /tmp:rw,mode=1777,size=64m",
        "--add-host=kafka:127.0.0.1", "--env STORAGE=cassandra",
    ):  # fmt: skip
        assert flag in joined, flag
    assert argv[-1] == "smartbank-card-processing"  # no command: the image's CMD


def test_a_command_replaces_the_entrypoint_and_a_config_map_is_mounted_read_only() -> None:
    envoy = dev_containers()[("card-processing", "envoy")]
    argv = podman.run_argv(
        envoy, name="n", image="envoy", files={"/etc/envoy": "/scratch/e"}, hosts={},
        ulimits={},
    )  # fmt: skip
    assert "--volume" in argv and "/scratch/e:/etc/envoy:ro" in argv
    at = argv.index("--entrypoint")
    assert argv[at : at + 4] == ["--entrypoint", "envoy", "envoy", "--config-path"]


def test_every_image_built_here_is_built_from_the_stand_in_base_with_skaffolds_arguments() -> None:
    artifacts = skaffold.render()["build"]["artifacts"]
    argvs = [rehearse_pods.build_argv(a, "base:1", ["/ca:/run/ca:ro"]) for a in artifacts]
    for artifact, argv in zip(artifacts, argvs, strict=True):
        assert "PYTHON_IMAGE=base:1" in argv and "/ca:/run/ca:ro" in argv
        assert argv[-2:] == [artifact["image"], artifact["context"]]
        dockerfile = argv[argv.index("--file") + 1]
        assert Path(dockerfile) == Path(artifact["context"], artifact["docker"]["dockerfile"])
        assert (ROOT / dockerfile).is_file()
        for key, value in artifact["docker"].get("buildArgs", {}).items():
            assert f"{key}={value}" in argv
    targets = {argv[-2]: argv[argv.index("--target") + 1] for argv in argvs if "--target" in argv}
    assert targets == {"smartbank-test": "test", "smartbank-schema": "schema"}


def test_every_dev_container_built_here_can_be_run_outside_a_cluster() -> None:
    built = {a["image"] for a in skaffold.render()["build"]["artifacts"]}
    ours = [c for c in podman.containers(documents("overlays/dev")) if c.image in built]
    assert {c.workload for c in ours} >= {"api", "card-api", "cassandra-schema", "push-sink"}
    for container in ours:
        podman.run_argv(
            container, name="n", image=container.image,
            files={m.target: "/x" for m in container.mounts}, hosts={}, ulimits=ULIMITS,
        )  # fmt: skip


def test_confinement_is_judged_against_the_pods_security_context() -> None:
    app = dev_containers()[("card-processing", "app")]
    held = {
        "uid": 10001, "gid": 10001, "cap_eff": "0000000000000000", "no_new_privs": "1",
        "seccomp": "2", "root": "Read-only file system",
    }  # fmt: skip
    assert rehearse_pods.confinement_problems(app, held) == []
    loose = {**held, "uid": 0, "cap_eff": "00000000a80425fb", "no_new_privs": "0"}
    loose |= {"seccomp": "0", "root": "writable"}
    assert len(rehearse_pods.confinement_problems(app, loose)) == 6  # root, and not 10001


def test_what_the_kubelet_leaves_to_the_image_or_skips_podman_leaves_too() -> None:
    """No runAsGroup: the image's group; fsGroup: a supplementary group; a readOnly emptyDir:
    mounted read-only; an optional ConfigMap that is absent: nothing from it."""
    pod = {
        "kind": "Deployment",
        "metadata": {"name": "w"},
        "spec": {"template": {"spec": {
            "securityContext": {"runAsUser": 1000, "fsGroup": 2000},
            "volumes": [{"name": "shared", "emptyDir": {}}],
            "containers": [{
                "name": "c", "image": "i",
                "envFrom": [{"configMapRef": {"name": "absent", "optional": True}}],
                "volumeMounts": [{"name": "shared", "mountPath": "/s", "readOnly": True}],
            }],
        }}},
    }  # fmt: skip
    (container,) = podman.containers([pod])
    assert container.unsupported is None and container.env == {}
    argv = podman.run_argv(container, name="n", image="i", files={}, hosts={}, ulimits={})
    joined = " ".join(argv)
    assert "--user 1000 " in joined and "--group-add 2000" in joined
    assert "--tmpfs /s:ro,mode=1777" in joined
