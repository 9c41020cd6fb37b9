"""`--infra real`: Apache Kafka, Apache Cassandra and Jaeger beneath the services, as in a cluster.

The parts come from the cache `make real-parts` fills (smartbank.local.real) and run with the
configs the tests use, on the stack's ports and under its data directory. Once they answer, the
stack prepares them the way the cluster's Jobs do: the registry's topics as the topics Job
creates them (six partitions, one copy), and the keyspaces by the schema Job's own writer
(`python -m smartbank.deploy.cassandra_schema`), run as a child. The services then get the
cluster's storage settings (Cassandra, schema awaited, not created) and its idempotent producer.

Cassandra starts first (it takes longest) and nicer than nothing: it is on the card path, as
SQLite is in-process in the embedded stack. Kafka and Jaeger run as nice as Tansu and the sink.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from smartbank.deploy.k8s.config import PLATFORM_ENV
from smartbank.events.topics import ensure_topics
from smartbank.local.launcher import commands, health
from smartbank.local.launcher.health import Component
from smartbank.local.launcher.infra.base import BACKGROUND_NICE, INFRA_TIMEOUT, REAL, Spawner
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.ports import HOST, StackPorts
from smartbank.local.launcher.processes import Process, stop_all
from smartbank.local.real import cassandra, jaeger, kafka, parts, tools
from smartbank.registry import topics

# As deploy/k8s/base/infra/kafka/topics-job.yaml creates them (TOPIC_PARTITIONS, one broker).
TOPIC_PARTITIONS = 6
# What the cluster's config gives every service about its storage, producer and consumers.
CLUSTER_SETTINGS = (
    "STORAGE",
    "CASSANDRA_REPLICATION_FACTOR",
    "CASSANDRA_SCHEMA",
    "KAFKA_IDEMPOTENCE",
    "CONSUMER_FETCH_WAIT_MS",
    "CONSUMER_IDLE_FETCH_WAIT_MS",
)
SCHEMA_WRITER = "smartbank.deploy.cassandra_schema"
CASSANDRA_TIMEOUT = 180.0
KAFKA_TIMEOUT = 90.0
SCHEMA_TIMEOUT = 300.0


class RealPartsMissing(RuntimeError):
    """A real part or the Java to run it is missing; the message says what to run."""


def problems() -> list[str]:
    """What stops `--infra real` from starting, each with what to run or install."""
    found: list[str] = []
    absent = [part for part in parts.all_parts() if not part.installed]
    if absent:
        names = ", ".join(f"{p.name} {p.version}" for p in absent)
        found.append(f"not in {parts.cache_root()}: {names}; run `make real-parts`")
        found += tools.missing([p.name for p in absent])  # what `make real-parts` needs
    try:
        tools.check_java("cassandra")  # the one Java both JVM parts run on: 17
    except tools.ToolMissing as exc:
        found.append(str(exc))
    return list(dict.fromkeys(found))


class Real:
    name = REAL

    def check(self) -> None:
        if found := problems():
            raise RealPartsMissing(
                "--infra real needs Apache Kafka, Apache Cassandra and Jaeger:\n  "
                + "\n  ".join(found)
            )

    def components(self, ports: StackPorts) -> list[Component]:
        return [health.cassandra(ports), health.broker(ports), health.jaeger(ports)]

    def service_env(self, ports: StackPorts) -> dict[str, str]:
        return {
            **{key: PLATFORM_ENV[key] for key in CLUSTER_SETTINGS},
            "CASSANDRA_HOSTS": f"{HOST}:{ports.cassandra}",
        }

    def start(self, stack: Spawner) -> None:
        layout, ports = stack.layout, stack.ports
        store, broker, traces = self.components(ports)
        env = commands.broker_env()
        node = cassandra.launch(layout.part("cassandra"), ports.cassandra, ports.cassandra_storage)
        stack.spawn_part("cassandra", "storage", node.argv, env, store)
        brokers = kafka.launch(layout.part("kafka"), ports.kafka, ports.kafka_controller)
        kafka.format_storage(layout.part("kafka"))
        stack.spawn_part("kafka", "broker", brokers.argv, env, broker, BACKGROUND_NICE)
        collector = jaeger.launch(layout.part("jaeger"), jaeger_ports(ports))
        stack.spawn_part("jaeger", "telemetry", collector.argv, env, traces, BACKGROUND_NICE)
        bootstrap = f"{HOST}:{ports.kafka}"
        stack.await_ready("jaeger", INFRA_TIMEOUT)
        stack.await_ready("kafka", KAFKA_TIMEOUT, check=lambda: kafka.ready(bootstrap))
        asyncio.run(ensure_topics(bootstrap, topics(), partitions=TOPIC_PARTITIONS))
        stack.await_ready("cassandra", CASSANDRA_TIMEOUT)
        began = time.monotonic()
        create_schema(layout, self.service_env(ports))
        stack.timings["cassandra-schema"] = time.monotonic() - began


def jaeger_ports(ports: StackPorts) -> jaeger.Ports:
    return jaeger.Ports(ports.trace_sink, ports.jaeger_query, ports.jaeger_grpc)


class SchemaFailed(RuntimeError):
    """The schema writer exited non-zero or ran out of time; the message has its log's end."""


def create_schema(layout: Layout, env: dict[str, str], timeout: float = SCHEMA_TIMEOUT) -> None:
    """Run the cluster's schema writer against the stack's node, and wait for it to finish.

    A child like the others (its pid in run/, killed with the launcher), but not supervised:
    it is done before any service starts."""
    argv = [sys.executable, "-m", SCHEMA_WRITER]
    name = "cassandra-schema"
    job = Process(
        name, "job", argv, commands.python_env() | env, layout.log(name), layout.pid(name)
    )
    job.spawn(fresh_log=True)
    assert job.popen is not None
    try:
        code: int | None = job.popen.wait(timeout)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        stop_all([job], grace=1.0)
    if code != 0:
        what = f"exited with code {code}" if code is not None else f"ran over {timeout:g} s"
        raise SchemaFailed(
            f"{SCHEMA_WRITER} {what}; last lines of {job.log_path}:\n{job.log_tail()}"
        )
