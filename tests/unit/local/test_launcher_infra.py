"""The stack's infrastructure, embedded or real: what each needs, takes and tells the services,
what `--infra real` says when a part is missing, and the stop order, with fake parts (no JVM)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pytest

from smartbank.deploy.k8s.config import PLATFORM_ENV
from smartbank.local.cli import up
from smartbank.local.launcher import Stack, StackPorts, commands, health, infra
from smartbank.local.launcher.infra import Embedded, Real, RealPartsMissing, Spawner
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.ports import is_free, required
from smartbank.local.real import parts
from smartbank.registry import SERVICES, spec
from tests.unit.conftest import free_ports

FAKE = "launcher_fake"  # tests/unit/local/launcher_fake.py


@pytest.fixture
def ports() -> StackPorts:
    return StackPorts(*free_ports(12))


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SMARTBANK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_real_takes_the_parts_ports_with_jaeger_on_the_trace_sink_port(ports: StackPorts) -> None:
    needed = required(SERVICES, ports=ports, infra=infra.REAL)
    assert needed[ports.trace_sink] == "Jaeger's OTLP/HTTP receiver"
    assert needed[ports.kafka] == "Apache Kafka"
    for port in (ports.cassandra, ports.cassandra_storage, ports.kafka_controller):
        assert port in needed
    assert ports.cassandra not in required(SERVICES, ports=ports)  # embedded: no Cassandra


def test_real_components_are_probed_cassandra_kafka_jaeger_then_the_rest(
    ports: StackPorts,
) -> None:
    names = [c.name for c in health.stack_components(ports=ports, infra=infra.REAL)]
    assert names[:5] == ["cassandra", "kafka", "jaeger", "push-sink", "envoy"]
    assert "trace-sink" not in names
    jaeger = health.jaeger(ports)
    assert jaeger.url == f"http://127.0.0.1:{ports.jaeger_query}/api/services"


def test_real_gives_the_services_the_clusters_storage_and_kafka_settings(
    ports: StackPorts,
) -> None:
    env = Real().service_env(ports)
    assert env["CASSANDRA_HOSTS"] == f"127.0.0.1:{ports.cassandra}"
    cluster = ("STORAGE", "CASSANDRA_SCHEMA", "CASSANDRA_REPLICATION_FACTOR", "KAFKA_IDEMPOTENCE")
    for key in (*cluster, "CONSUMER_FETCH_WAIT_MS"):
        assert env[key] == PLATFORM_ENV[key]
    assert (env["STORAGE"], env["KAFKA_IDEMPOTENCE"]) == ("cassandra", "true")
    assert env["CONSUMER_FETCH_WAIT_MS"] == "500"  # Apache Kafka answers a waiting fetch at once
    assert Embedded().service_env(ports) == {}


def test_real_with_parts_missing_says_to_run_make_real_parts(empty_cache: Path) -> None:
    with pytest.raises(RealPartsMissing) as raised:
        Real().check()
    message = str(raised.value)
    assert "run `make real-parts`" in message and str(empty_cache) in message
    for part in parts.all_parts():
        assert f"{part.name} {part.version}" in message


def test_real_without_java_says_what_to_install(
    empty_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(RealPartsMissing, match=re.escape("apt-get install openjdk-17")):
        Real().check()


def test_up_with_infra_real_and_parts_missing_exits_1_saying_what_to_run(
    empty_cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SMARTBANK_HOME", str(tmp_path / "home"))
    assert up.run(argparse.Namespace(detach=False, infra=infra.REAL)) == 1
    assert "make real-parts" in capsys.readouterr().err
    assert not (tmp_path / "home" / "run").exists()  # nothing was started


def test_the_recorded_infra_is_read_back_and_embedded_when_there_is_none(
    tmp_path: Path, ports: StackPorts
) -> None:
    layout = Layout(tmp_path)
    assert infra.recorded(layout) == infra.Recorded(infra.EMBEDDED, "")
    infra.record(layout, Real(), ports)
    assert infra.recorded(layout) == infra.Recorded(
        infra.REAL, f"http://127.0.0.1:{ports.jaeger_query}"
    )
    layout.infra.write_text("{not json")
    assert infra.recorded(layout).name == infra.EMBEDDED
    infra.forget(layout)
    assert not layout.infra.exists()


class FakeParts:
    """Parts of the kinds the real infrastructure has, and a proxy, each a fake HTTP server."""

    name = infra.REAL
    kinds = {"cassandra": "storage", "kafka": "broker", "jaeger": "telemetry", "edge": "proxy"}

    def check(self) -> None:
        pass

    def components(self, ports: StackPorts) -> list[health.Component]:
        edge = health.Component("edge", "proxy", f"tcp://127.0.0.1:{ports.envoy_admin}")
        return [health.cassandra(ports), health.broker(ports), health.jaeger(ports), edge]

    def service_env(self, ports: StackPorts) -> dict[str, str]:
        return {}

    def start(self, stack: Spawner) -> None:
        ports = stack.ports
        listens = (ports.cassandra, ports.kafka, ports.jaeger_query, ports.envoy_admin)
        for component, port in zip(self.components(ports), listens, strict=True):
            argv = [sys.executable, "-m", FAKE, "--port", str(port)]
            kind, env = self.kinds[component.name], commands.python_env()
            stack.spawn_part(component.name, kind, argv, env, component)
        for name in self.kinds:
            stack.await_ready(name, 10)


@pytest.mark.skipif(not is_free(spec("apns").port), reason="apns's port is in use")
def test_stack_stops_services_then_the_proxy_then_the_parts(
    tmp_path: Path, ports: StackPorts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    stack = Stack(
        tmp_path, services=["apns"], ports=ports, with_envoy=False, serve_module=FAKE,
        infra=FakeParts(), grace=5.0,
    )  # fmt: skip
    with stack:
        stack.wait_ready(10)
        kinds = {name: state["kind"] for name, state in stack.status().items()}
        assert kinds == {**FakeParts.kinds, "push-sink": "telemetry", "apns": "service"}
        assert infra.recorded(stack.layout).name == infra.REAL
    stopped = {name: stopped_at(stack.layout.log(name)) for name in ("apns", *FakeParts.kinds)}
    parts_stopped = min(stopped[name] for name in ("cassandra", "kafka", "jaeger"))
    assert stopped["apns"] < stopped["edge"] < parts_stopped
    assert not stack.layout.infra.exists()


def stopped_at(log: Path) -> int:
    found = re.search(r"stopping at (\d+)", log.read_text())
    assert found, f"no stop in {log}"
    return int(found[1])
