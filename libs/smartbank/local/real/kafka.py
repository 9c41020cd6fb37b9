"""Apache Kafka from the cache: one KRaft node, broker and controller in one JVM, on 127.0.0.1.

The config follows the cluster's (deploy/k8s/base/infra/kafka/start.sh) with one copy of
everything: topics are created by whoever needs them, never by a typo (auto-create off), and a
new group's first rebalance is not delayed. The storage is formatted before the first start,
with a fixed cluster id, so a data directory can be stopped and started again as one cluster.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from smartbank.local.real import jmx, parts
from smartbank.local.real.process import (
    Launch,
    PartFailed,
    Running,
    free_port,
    listening,
    started,
)

# Kafka wants 16 bytes in URL-safe base64 without padding: these are b"smartbank-local1".
CLUSTER_ID = "c21hcnRiYW5rLWxvY2FsMQ"
HEAP = ["-Xms256m", "-Xmx512m"]
JVM = ["-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true"]
LOG4J2 = """status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
"""


def server_properties(data_dir: Path, port: int, controller_port: int) -> str:
    return f"""process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs={data_dir / "kraft"}
num.partitions=6
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=8388608
"""


def write_config(data_dir: Path, port: int, controller_port: int) -> Path:
    """server.properties and the log4j2 config under `data_dir`; returns the former."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "log4j2.properties").write_text(LOG4J2)
    config = data_dir / "server.properties"
    config.write_text(server_properties(data_dir, port, controller_port))
    return config


def java_argv(data_dir: Path, main: list[str], options: Sequence[str] = ()) -> list[str]:
    lib = parts.kafka().require() / "lib"
    logging = f"-Dlog4j2.configurationFile={data_dir / 'log4j2.properties'}"
    return [parts.java(), *HEAP, *JVM, *options, logging, "-cp", f"{lib}/*", *main]


def launch(
    data_dir: Path, port: int, controller_port: int, metrics_port: int | None = None
) -> Launch:
    """The broker; with `metrics_port`, serving its metrics there as the cluster's pods do."""
    config = write_config(data_dir, port, controller_port)
    agent = [jmx.agent("kafka", metrics_port)] if metrics_port else []
    argv = java_argv(data_dir, ["kafka.Kafka", str(config)], agent)
    metrics = f"127.0.0.1:{metrics_port}" if metrics_port else ""
    return Launch("kafka", argv, data_dir / "kafka.log", f"127.0.0.1:{port}", metrics=metrics)


def format_storage(data_dir: Path) -> None:
    """Format the log directory once (`kafka-storage format`); later starts keep its data."""
    if (data_dir / "kraft" / "meta.properties").exists():
        return
    main = ["kafka.tools.StorageTool", "format", "--ignore-formatted", "-t", CLUSTER_ID]
    argv = java_argv(data_dir, [*main, "-c", str(data_dir / "server.properties")])
    with (data_dir / "kafka.log").open("ab") as log:
        done = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, timeout=120)
    if done.returncode != 0:
        raise PartFailed(f"kafka-storage format exited {done.returncode}: see {log.name}")


def ready(bootstrap: str, timeout: float = 5.0) -> bool:
    """Whether the broker answers a metadata request and names itself and its controller."""
    port = int(bootstrap.rpartition(":")[2])
    if not listening(port):
        return False
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the caller may be in an event loop
        return pool.submit(asyncio.run, _describe(bootstrap, seconds=timeout)).result()


async def _describe(bootstrap: str, *, seconds: float) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(seconds * 1000))
    try:
        await asyncio.wait_for(admin.start(), seconds)
        cluster = await asyncio.wait_for(admin.describe_cluster(), seconds)
    except Exception:
        return False
    finally:
        await admin.close()
    return bool(cluster.get("brokers")) and cluster.get("controller_id", -1) >= 0


@contextmanager
def running_kafka(
    data_dir: Path,
    port: int = 0,
    controller_port: int = 0,
    timeout: float = 90.0,
    metrics_port: int | None = None,
) -> Iterator[Running]:
    """A broker on `port` (a free one if 0); `.launch.address` is its bootstrap address, and
    `.launch.metrics` where it serves its metrics (with `metrics_port`; 0: a free port)."""
    metrics = (metrics_port or free_port()) if metrics_port is not None else None
    how = launch(data_dir, port or free_port(), controller_port or free_port(), metrics)
    format_storage(data_dir)
    with started(how, lambda: ready(how.address), timeout) as running:
        yield running
