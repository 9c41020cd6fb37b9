"""Typed settings read from environment variables.

Settings are built when an app is built (never at import time), so tests can hand a service
any settings they like. A service that needs more fields subclasses `PlatformSettings` in its own
`settings.py` and names that class in its declaration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CassandraSchema = Literal["create", "await"]


class PlatformSettings(BaseSettings):
    """What every service reads from its environment."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    service_name: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    data_dir: Path = Path(".smartbank/data")
    storage: Literal["sqlite", "memory", "cassandra"] = "sqlite"
    cassandra_hosts: str = ""
    cassandra_replication_factor: int = 1
    # "create": a service creates its keyspace and tables at start; "await": it waits for them
    # from one writer (`python -m smartbank.deploy.cassandra_schema`), as concurrent DDL can
    # give a table two ids.
    cassandra_schema: CassandraSchema = "create"
    rpc_mode: Literal["mesh", "direct"] = "mesh"
    mesh_url: str = "http://127.0.0.1:15001"
    # Where direct calls go; may contain `{service}` (in a cluster: each Service's DNS name).
    direct_host: str = "127.0.0.1"
    kafka_bootstrap: str = "127.0.0.1:9092"
    # The idempotent producer where the broker has it (Apache Kafka); Tansu does not.
    kafka_idempotence: bool = False
    kafka_linger_ms: int = Field(default=5, ge=0)
    consumer_batch: int = Field(default=200, gt=0)
    # Accounts whose events one consumer handles at the same time.
    consumer_concurrency: int = Field(default=32, gt=0)
    # How long a fetch may wait for new messages while they flow. Tansu holds a fetch for about
    # this long even when a message arrives meanwhile (measured: ~130 ms a hop at 500 ms, 9 ms at
    # 50 ms); Apache Kafka answers at once, so the cluster and `--infra real` wait 500 ms.
    consumer_fetch_wait_ms: int = Field(default=50, gt=0)
    # The wait once nothing has come for a while (events/fetch_wait.py): an idle consumer asks
    # twice a second instead of twenty times; the first event after a quiet spell pays for it.
    consumer_idle_fetch_wait_ms: int = Field(default=500, gt=0)
    consumer_retry_base_seconds: float = Field(default=0.2, gt=0)
    consumer_retry_max_seconds: float = Field(default=30.0, gt=0)
    # Attempts before a message that fails for a reason other than an unavailable dependency
    # is dead-lettered; an unavailable dependency is waited for, however long it takes.
    consumer_max_attempts: int = Field(default=5, gt=0)
    # Rate limits for public traffic, requests/second after a burst; 0 = off (internal services).
    rate_limit_per_token: float = Field(default=0, ge=0)
    rate_limit_per_address: float = Field(default=0, ge=0)
    rate_limit_burst: int = Field(default=40, gt=0)
    # Comma-separated path prefixes the limits apply to.
    rate_limit_paths: str = "/"
    otel_exporter_otlp_endpoint: str = ""
    # The share of new traces recorded (a trace started upstream keeps its caller's decision).
    trace_sampling: float = Field(default=1.0, ge=0.0, le=1.0)
    log_level: str = "INFO"
    access_log: bool = True
    shutdown_grace_seconds: float = Field(default=10.0, gt=0)

    @property
    def cassandra_host_list(self) -> list[str]:
        return [h.strip() for h in self.cassandra_hosts.split(",") if h.strip()]


S = TypeVar("S", bound=PlatformSettings)


def typed(settings: PlatformSettings, cls: type[S]) -> S:
    """The service's own settings class, checked rather than cast: an app built with another
    class fails here, at once, instead of reading a missing field later."""
    if not isinstance(settings, cls):
        raise TypeError(f"the app was built with {type(settings).__name__}, not {cls.__name__}")
    return settings
