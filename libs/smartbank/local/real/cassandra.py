"""Apache Cassandra from the cache: one node on 127.0.0.1, sized for a 2-core machine.

The node is started as Cassandra's own scripts would (CassandraDaemon in the foreground), with
the JVM options its conf/jvm17-server.options lists for Java 17: without the module exports
and opens below it fails on its first reflective access. JMX stays off (no port to collide).
`overrides` reach cassandra.yaml, so a test can ask for, say, a very short write timeout to
see what a timed-out lightweight transaction does to the store.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from smartbank.local.real import jmx, parts
from smartbank.local.real.process import Launch, Running, free_port, listening, started

# From conf/jvm17-server.options of Cassandra 5.0.
EXPORTS = [
    "java.base/jdk.internal.misc", "java.management.rmi/com.sun.jmx.remote.internal.rmi",
    "java.rmi/sun.rmi.registry", "java.rmi/sun.rmi.server", "java.sql/java.sql",
    "java.base/java.lang.ref", "jdk.unsupported/sun.misc",
    "jdk.compiler/com.sun.tools.javac.file", "jdk.attach/sun.tools.attach",
]  # fmt: skip
OPENS = [
    "java.base/java.lang.module", "java.base/jdk.internal.loader", "java.base/jdk.internal.ref",
    "java.base/jdk.internal.reflect", "java.base/jdk.internal.math",
    "java.base/jdk.internal.module", "java.base/jdk.internal.util.jar",
    "jdk.management/com.sun.management.internal", "java.base/sun.nio.ch", "java.base/java.io",
    "java.base/java.lang.reflect", "jdk.compiler/com.sun.tools.javac", "java.base/java.lang",
    "java.base/java.util",
]  # fmt: skip
JVM = [
    "-ea", "-da:net.openhft...", "-Xss256k", "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled",
    "-XX:MaxTenuringThreshold=1", "-XX:MaxGCPauseMillis=300", "-XX:+PerfDisableSharedMem",
    "-Djava.net.preferIPv4Stack=true", "-Djdk.attach.allowAttachSelf=true",
    "-Dio.netty.tryReflectionSetAccessible=true", "-Dio.netty.allocator.useCacheForAllThreads=true",
    "-Dio.netty.allocator.maxOrder=11", "-Dcassandra-foreground=yes",
    "-Dcassandra.skip_wait_for_gossip_to_settle=0", "-XX:+ExitOnOutOfMemoryError",
]  # fmt: skip
LOGBACK = """<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="OUT"/></root>
</configuration>
"""


# Small memtables and thread pools for a 2-core machine; no snapshot on TRUNCATE or DROP (the
# contract suite truncates before every test); a new cluster, so no 4.x compatibility mode.
# The commit log is synced before a write is acknowledged (batch): with one node and the
# default periodic sync, a killed node loses up to ten seconds of acknowledged writes (found by
# tests/real/test_cassandra_restart.py), and there is no other replica to repair them from.
TUNING: dict[str, Any] = {
    "cluster_name": "smartbank-local",
    "num_tokens": 16,
    "partitioner": "org.apache.cassandra.dht.Murmur3Partitioner",
    "endpoint_snitch": "SimpleSnitch",
    "start_native_transport": True,
    "commitlog_sync": "batch",
    "storage_compatibility_mode": "NONE",
    "memtable_allocation_type": "heap_buffers",
    "memtable_heap_space": "64MiB",
    "memtable_flush_writers": 1,
    "concurrent_reads": 8,
    "concurrent_writes": 8,
    "concurrent_counter_writes": 4,
    "concurrent_compactors": 1,
    "native_transport_max_threads": 32,
    "auto_snapshot": False,
    "write_request_timeout": "2000ms",
    "cas_contention_timeout": "1000ms",
    "read_request_timeout": "5000ms",
}


def settings(data_dir: Path, native_port: int, storage_port: int) -> dict[str, Any]:
    """cassandra.yaml: one node on 127.0.0.1, its own seed, every directory under `data_dir`."""
    seeds = {"seeds": f"127.0.0.1:{storage_port}"}
    provider = "org.apache.cassandra.locator.SimpleSeedProvider"
    return {
        **TUNING,
        "seed_provider": [{"class_name": provider, "parameters": [seeds]}],
        "listen_address": "127.0.0.1",
        "rpc_address": "127.0.0.1",
        "storage_port": storage_port,
        "native_transport_port": native_port,
        "data_file_directories": [str(data_dir / "data")],
        "commitlog_directory": str(data_dir / "commitlog"),
        "saved_caches_directory": str(data_dir / "saved_caches"),
        "hints_directory": str(data_dir / "hints"),
        "cdc_raw_directory": str(data_dir / "cdc_raw"),
    }


def write_config(
    data_dir: Path, native_port: int, storage_port: int, overrides: Mapping[str, Any]
) -> Path:
    (data_dir / "triggers").mkdir(parents=True, exist_ok=True)
    (data_dir / "logback.xml").write_text(LOGBACK)
    config = data_dir / "cassandra.yaml"
    text = yaml.safe_dump({**settings(data_dir, native_port, storage_port), **overrides})
    config.write_text(text)
    return config


def jvm_options(data_dir: Path, heap_mb: int, metrics_port: int | None = None) -> list[str]:
    lib = parts.cassandra().require() / "lib"
    jamm = sorted(lib.glob("jamm-*.jar"))  # measures memtables; cassandra-env.sh loads it so
    agent = [f"-javaagent:{jamm[0]}"] if jamm else []
    if metrics_port:
        agent.append(jmx.agent("cassandra", metrics_port))
    modules = [o for m in EXPORTS for o in ("--add-exports", f"{m}=ALL-UNNAMED")]
    modules += [o for m in OPENS for o in ("--add-opens", f"{m}=ALL-UNNAMED")]
    paths = [
        f"-Dcassandra.config=file://{data_dir / 'cassandra.yaml'}",
        f"-Dcassandra.storagedir={data_dir}",
        f"-Dcassandra.logdir={data_dir / 'logs'}",
        f"-Dcassandra.triggers_dir={data_dir / 'triggers'}",
        f"-Dlogback.configurationFile={data_dir / 'logback.xml'}",
    ]
    heap = [f"-Xms{heap_mb}m", f"-Xmx{heap_mb}m"]
    return [*heap, *JVM, *modules, *agent, *paths, "-cp", f"{lib}/*"]


def launch(
    data_dir: Path,
    native_port: int,
    storage_port: int,
    overrides: Mapping[str, Any] | None = None,
    heap_mb: int = 512,
    metrics_port: int | None = None,
) -> Launch:
    """The node; with `metrics_port`, serving its metrics there as the cluster's pods do."""
    write_config(data_dir, native_port, storage_port, overrides or {})
    main = "org.apache.cassandra.service.CassandraDaemon"
    argv = [parts.java(), *jvm_options(data_dir, heap_mb, metrics_port), main]
    metrics = f"127.0.0.1:{metrics_port}" if metrics_port else ""
    log = data_dir / "cassandra.log"
    return Launch("cassandra", argv, log, f"127.0.0.1:{native_port}", metrics=metrics)


def ready(address: str, timeout: float = 5.0) -> bool:
    """Whether the native port answers CQL: `SELECT release_version FROM system.local`."""
    from cassandra.cluster import Cluster

    host, _, port = address.rpartition(":")
    if not listening(int(port), host):
        return False
    cluster = Cluster([host], port=int(port), connect_timeout=timeout, protocol_version=5)
    try:
        session = cluster.connect()
        row = session.execute("SELECT release_version FROM system.local", timeout=timeout).one()
        return row is not None
    except Exception:
        return False
    finally:
        cluster.shutdown()


@contextmanager
def running_cassandra(
    data_dir: Path,
    port: int = 0,
    overrides: Mapping[str, Any] | None = None,
    timeout: float = 180.0,
    metrics_port: int | None = None,
) -> Iterator[Running]:
    """A node whose CQL port is `port` (a free one if 0); `.launch.address` is `host:port`,
    and `.launch.metrics` where it serves its metrics (with `metrics_port`; 0: a free port)."""
    metrics = (metrics_port or free_port()) if metrics_port is not None else None
    how = launch(data_dir, port or free_port(), free_port(), overrides, metrics_port=metrics)
    with started(how, lambda: ready(how.address), timeout) as running:
        yield running
