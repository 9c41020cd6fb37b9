"""Kafka's and Cassandra's metrics as the cluster's Prometheus scrapes them: the JMX exporter
agent with deploy/k8s/base/infra/jmx/'s rules, loaded by a real broker and a real node. Every
Kafka and Cassandra metric the Grafana dashboard queries must be among what they serve, so a
rule that stops matching (a renamed bean, a new Kafka) fails here, not as an empty panel."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from smartbank.deploy.k8s import infra
from smartbank.events.topics import ensure_topics
from smartbank.local.real.process import Running

NAME = re.compile(r"\b((?:kafka|cassandra)_[a-z_]+)\b")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? ", re.M)


def dashboard_metrics(prefix: str) -> set[str]:
    """The metric names the dashboard's queries read that start with `prefix`."""
    found = set()
    for _, panels in infra.PANELS:
        for _, _, _, queries in panels:
            for query, _ in queries:
                found |= {m for m in NAME.findall(query) if m.startswith(prefix)}
    return found


def served(part: Running) -> dict[str, list[str]]:
    text = httpx.get(f"http://{part.launch.metrics}/metrics", timeout=10, trust_env=False).text
    samples: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and (match := SAMPLE.match(line)):
            samples.setdefault(match.group(1), []).append(line)
    return samples


def test_the_dashboard_reads_kafka_and_cassandra_metrics() -> None:
    assert len(dashboard_metrics("kafka_")) >= 5
    assert len(dashboard_metrics("cassandra_")) >= 5


def test_a_real_broker_serves_every_kafka_metric_the_dashboard_reads(
    kafka_broker: Running,
) -> None:
    topic = f"jmx-{uuid.uuid4().hex[:8]}"

    async def traffic() -> None:
        await ensure_topics(kafka_broker.launch.address, [topic], partitions=1)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.launch.address)
        await producer.start()
        try:
            for _ in range(3):
                await producer.send_and_wait(topic, b"swipe")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=kafka_broker.launch.address, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            await consumer.getmany(timeout_ms=5000, max_records=3)
        finally:
            await consumer.stop()

    asyncio.run(traffic())
    samples = served(kafka_broker)
    assert dashboard_metrics("kafka_") <= set(samples), sorted(set(samples))
    (messages,) = [s for s in samples["kafka_server_messagesin_total"] if f'"{topic}"' in s]
    assert messages.endswith(" 3.0")
    assert any('request="Produce"' in s for s in samples["kafka_network_request_time_ms"])
    assert samples["kafka_controller_activecontrollercount"] == [
        "kafka_controller_activecontrollercount 1.0"
    ]


def test_a_real_node_serves_every_cassandra_metric_the_dashboard_reads(
    cassandra_node: Running,
) -> None:
    from cassandra.cluster import Cluster

    host, port = cassandra_node.launch.address.rsplit(":", 1)
    cluster = Cluster([host], port=int(port))
    try:
        session = cluster.connect()
        keyspace = f"jmx_{uuid.uuid4().hex[:8]}"
        session.execute(
            f"CREATE KEYSPACE {keyspace} WITH replication = "
            "{'class': 'SimpleStrategy', 'replication_factor': 1}"
        )
        session.execute(f"CREATE TABLE {keyspace}.t (k int PRIMARY KEY, v int)")
        for k in range(5):
            session.execute(f"INSERT INTO {keyspace}.t (k, v) VALUES (%s, %s)", (k, k))
            session.execute(f"SELECT v FROM {keyspace}.t WHERE k = %s", (k,))
        session.execute(f"DROP KEYSPACE {keyspace}")
    finally:
        cluster.shutdown()
    samples = served(cassandra_node)
    assert dashboard_metrics("cassandra_") <= set(samples), sorted(set(samples))
    latencies = samples["cassandra_client_request_latency_seconds"]
    assert {s.split(" ")[0] for s in latencies} >= {
        'cassandra_client_request_latency_seconds{operation="Read",quantile="0.99"}',
        'cassandra_client_request_latency_seconds{operation="Write",quantile="0.99"}',
    }
    # Seconds, not Cassandra's microseconds: a local read is well under one.
    assert all(0 <= float(s.rsplit(" ", 1)[1]) < 5 for s in latencies)
    writes = [s for s in samples["cassandra_client_requests_total"] if "Write" in s]
    assert float(writes[0].rsplit(" ", 1)[1]) >= 5
