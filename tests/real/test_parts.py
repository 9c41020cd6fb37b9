"""Each real part starts from the cache and answers the way the stack will use it."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cassandra.cluster import Cluster

from smartbank.events.topics import ensure_topics
from smartbank.local.real import parts
from smartbank.local.real.jaeger import RunningJaeger, get_json
from smartbank.local.real.process import Running


async def test_kafka_takes_and_serves_a_message_with_the_idempotent_producer(
    kafka_broker: Running,
) -> None:
    bootstrap = kafka_broker.launch.address
    topic = f"real.{uuid.uuid4().hex[:8]}"
    assert await ensure_topics(bootstrap, [topic], partitions=1) == [topic]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, b"hello", key=b"acc_1")
    finally:
        await producer.stop()
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await reader.start()
    try:
        record = await asyncio.wait_for(reader.getone(), 20)
    finally:
        await reader.stop()
    assert (sent.offset, record.key, record.value) == (0, b"acc_1", b"hello")


def test_cassandra_answers_cql_with_the_pinned_release(cassandra_node: Running) -> None:
    host, _, port = cassandra_node.launch.address.rpartition(":")
    cluster = Cluster([host], port=int(port), protocol_version=5)
    try:
        row = cluster.connect().execute("SELECT release_version FROM system.local").one()
    finally:
        cluster.shutdown()
    assert row.release_version == parts.cassandra().version


def test_jaeger_answers_its_query_api(jaeger_collector: RunningJaeger) -> None:
    services = get_json(f"{jaeger_collector.query_url}/api/services")
    assert "data" in services and not services.get("errors")
