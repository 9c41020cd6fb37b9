"""Prometheus' JMX exporter agent for the real JVM parts: Kafka's and Cassandra's metrics.

The cluster's Kafka and Cassandra pods load the agent with the rules in
deploy/k8s/base/infra/jmx/ and Prometheus scrapes it; here the same agent (the `jmx-exporter`
real part) and the same rules, so a test can read the metrics a real broker and a real node
serve and check that every one the Grafana dashboard queries is among them.
"""

from __future__ import annotations

from pathlib import Path

from smartbank.local.real import parts

RULES = parts.INPUTS.parents[0] / "k8s" / "base" / "infra" / "jmx"


def rules(part: str) -> Path:
    """The exporter's rules for `part` (kafka, cassandra), as the cluster's ConfigMap has them."""
    return RULES / f"{part}.yaml"


def agent(part: str, port: int, host: str = "127.0.0.1") -> str:
    """The JVM option that loads the agent, serving `part`'s metrics on host:port/metrics."""
    home = parts.jmx_exporter().require() / "lib"
    (jar,) = sorted(home.glob("jmx_prometheus_javaagent-*.jar"))
    return f"-javaagent:{jar}={host}:{port}:{rules(part)}"
