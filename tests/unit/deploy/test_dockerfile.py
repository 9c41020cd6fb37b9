"""What docker/Dockerfile promises the cluster, checked without a Docker engine (hadolint, in
`make lint`, checks the rest)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[3]
DOCKERFILE = (ROOT / "docker/Dockerfile").read_text()
STAGES = re.findall(r"^FROM (\S+) AS (\S+)$", DOCKERFILE, re.M)


def stage(name: str) -> str:
    """The instructions of one stage, up to the next FROM."""
    text = DOCKERFILE.split(f" AS {name}\n", 1)[1]
    return text.split("\nFROM ", 1)[0]


def test_every_stage_starts_from_the_one_pinned_python_image() -> None:
    pinned = r"^ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?$"
    assert re.search(pinned, DOCKERFILE, re.M)
    for index, (image, _) in enumerate(STAGES):
        earlier = {name for _, name in STAGES[:index]}
        assert image == "${PYTHON_IMAGE}" or image in earlier
    assert len(re.findall(r"^FROM ", DOCKERFILE, re.M)) == len(STAGES)


def test_the_default_target_runs_one_service_as_uid_10001_from_the_runtime_venv() -> None:
    assert STAGES[-1] == ("base", "runtime"), "docker build without --target builds the last stage"
    runtime, base = stage("runtime"), stage("base")
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    assert len(re.findall(r"^COPY ", runtime, re.M)) == 1, "the runtime stage copies the venv only"
    assert "ARG SERVICE\n" in runtime and "ENV SERVICE_NAME=${SERVICE}" in runtime
    assert "ARG SERVICE\n" not in DOCKERFILE.split(" AS runtime\n")[0], "shared layers stay shared"
    builder = stage("builder")
    locks, own_package = (
        builder.index("-r requirements/runtime.lock"),
        builder.index("ARG SERVICE_"),
    )
    assert locks < own_package, "the dependencies' layer is the same in every service's image"
    assert runtime.rstrip().endswith('CMD ["python", "-m", "smartbank.serve"]')
    assert "USER 10001:10001" in runtime and "USER 10001:10001" in stage("test")
    assert "--uid 10001 --gid 10001" in base
    for variable in ("PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1", "HOME=/tmp"):
        assert variable in base
    assert "DATA_DIR=/tmp/" in base, "with a read-only root only the /tmp emptyDir is writable"


def test_dependencies_come_from_the_hashed_locks_and_build_tools_stay_in_the_builder() -> None:
    for lock in ("build.lock", "runtime.lock", "test.lock"):
        assert (ROOT / "requirements" / lock).is_file()
        assert re.search(rf"--require-hashes[^\n]*\n?[^\n]*-r requirements/{lock}", DOCKERFILE)
    assert "/opt/build" not in stage("base") + stage("runtime") + stage("test")


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignore, "an allow-list: nothing reaches the context unless named"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    sources = re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.M)
    for source in (s for line in sources for s in line.split()):
        assert source.split("/")[0] in allowed, f"{source} is not in the build context"


def test_the_jmx_exporter_image_holds_the_agent_the_real_parts_tests_load() -> None:
    """The same version and digest as deploy/local-real/jmx-exporter, whose rules tests/real
    checks against a real broker and node (the digest is checked in the build), on the base
    the services' images have (so the cluster has its layers already)."""
    from smartbank.local.real import parts

    jmx = (ROOT / "docker/jmx-exporter/Dockerfile").read_text()
    version = re.search(r"^ARG JMX_EXPORTER_VERSION=(\S+)$", jmx, re.M)
    digest = re.search(r"^ARG JMX_EXPORTER_SHA256=([0-9a-f]{64})$", jmx, re.M)
    assert version and digest
    assert version.group(1) == parts.pom_version("jmx-exporter")
    lock = (ROOT / "deploy/local-real/jmx-exporter/jars.sha256").read_text()
    assert f"{digest.group(1)}  jmx_prometheus_javaagent-{version.group(1)}.jar" in lock
    assert "sha256sum --check --strict" in jmx and "${JMX_EXPORTER_SHA256}" in jmx
    base = re.compile(r"^ARG PYTHON_IMAGE=(\S+)$", re.M)
    assert base.findall(jmx) == base.findall(DOCKERFILE)
    assert '"cp", "-f"' in jmx  # a rerun of the init container replaces its read-only copy
