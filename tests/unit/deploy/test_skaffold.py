from pathlib import Path

import yaml

from smartbank.deploy import skaffold
from smartbank.registry import SERVICES
from tests.unit.deploy.k8s_render import objects

ROOT = Path(__file__).resolve().parents[3]


def test_checked_in_skaffold_yaml_is_the_render() -> None:
    assert (ROOT / "skaffold.yaml").read_text() == skaffold.rendered(), "run `make manifests`"


def test_every_service_has_one_artifact_from_the_one_dockerfile() -> None:
    config = yaml.safe_load(skaffold.rendered())
    *ours, jmx = config["build"]["artifacts"]
    services = ours[: len(SERVICES)]
    assert [a["docker"]["buildArgs"]["SERVICE"] for a in services] == [s.name for s in SERVICES]
    targets = {a["image"]: a["docker"]["target"] for a in ours[len(SERVICES) :]}
    assert targets == {"smartbank-test": "test", "smartbank-schema": "schema"}
    assert {(a["context"], a["docker"]["dockerfile"]) for a in ours} == {(".", "docker/Dockerfile")}
    # The JMX exporter agent: a context holding its Dockerfile and nothing else.
    assert jmx["image"] == skaffold.JMX_EXPORTER_IMAGE
    context = ROOT / jmx["context"]
    assert [p.name for p in context.iterdir()] == [jmx["docker"]["dockerfile"]]
    assert (ROOT / "docker/Dockerfile").is_file()


def test_profiles_point_at_overlays_that_exist() -> None:
    config = yaml.safe_load(skaffold.rendered())
    paths = [p["manifests"]["kustomize"]["paths"][0] for p in config["profiles"]]
    assert [p["name"] for p in config["profiles"]] == ["dev", "prod"]
    for path in [config["manifests"]["kustomize"]["paths"][0], *paths]:
        assert (ROOT / path / "kustomization.yaml").is_file(), path


def test_port_forwards_bind_loopback_for_api_card_network_jaeger_and_grafana() -> None:
    forwards = yaml.safe_load(skaffold.rendered())["portForward"]
    assert {(f["resourceName"], f["localPort"]) for f in forwards} == {
        ("edge", 8080),
        ("edge", 8090),
        ("jaeger", 16686),
        ("grafana", 3000),
    }
    assert {f["address"] for f in forwards} == {"127.0.0.1"}


def test_every_job_is_deleted_before_each_deploy() -> None:
    """A Job's pod template cannot change: the ones that run a built image change with almost
    every edit, and even kafka-topics refuses a second `skaffold run` within its TTL."""
    config = yaml.safe_load(skaffold.rendered())
    jobs = set(objects("overlays/dev", "Job")) | set(objects("overlays/prod", "Job"))
    assert (
        jobs
        == set(skaffold.RECREATED_JOBS)
        == {
            "integration-tests",
            "cassandra-schema",
            "kafka-topics",
        }
    )
    hooks = [h["host"]["command"] for h in config["deploy"]["kubectl"]["hooks"]["before"]]
    delete = next(h for h in hooks if "delete" in h)
    assert delete[:5] == ["kubectl", "--namespace", "smartbank", "delete", "job"]
    assert set(delete[5:]) == {*jobs, "--ignore-not-found"}


def copied_sources(dockerfile: str, arguments: dict[str, str]) -> set[str]:
    """The context paths a build with `arguments` copies, found as skaffold finds an
    artifact's dependencies: the COPY lines, ARG defaults and build arguments substituted."""
    values: dict[str, str] = {}
    sources = set()
    for line in dockerfile.splitlines():
        words = line.split()
        if words[:1] == ["ARG"]:
            name, _, default = words[1].partition("=")
            values[name] = arguments.get(name, default.strip('"'))
        elif words[:1] == ["COPY"] and not words[1].startswith("--from"):
            for source in words[1:-1]:
                for name, value in values.items():
                    source = source.replace("${" + name + "}", value)
                sources.add(source.rstrip("/"))
    return sources


def test_a_service_image_depends_on_libs_and_its_own_package_only() -> None:
    """So an edit in one service rebuilds (and reloads into kind) that service's image only."""
    dockerfile = (ROOT / "docker/Dockerfile").read_text()
    config = yaml.safe_load(skaffold.rendered())
    packages = {f"services/{s.package}" for s in SERVICES}
    for artifact in config["build"]["artifacts"]:
        if artifact["context"] != ".":
            continue  # the JMX exporter's context: nothing but its Dockerfile (test above)
        arguments = artifact["docker"].get("buildArgs", {})
        copied = copied_sources(dockerfile, arguments)
        assert {"libs", "protos", "pyproject.toml"} <= copied
        if artifact["image"] in skaffold.WHOLE_PROJECT_IMAGES:
            assert "services" in copied  # the test and schema images: every service
            continue
        own = f"services/{arguments['SERVICE_PACKAGE']}"
        assert own in packages and copied & (packages | {"services"}) == {own}
