"""Create every service's Cassandra keyspace and tables, one after another: the one writer.

    python -m smartbank.deploy.cassandra_schema   # CASSANDRA_HOSTS, CASSANDRA_REPLICATION_FACTOR

Schema changes sent at once by several replicas through different coordinators can create one
table under two ids, so in a cluster the services only wait for their schema
(CASSANDRA_SCHEMA=await) and the Job `cassandra-schema` runs this. It is idempotent: a new
table or column is added, what exists is left alone. Cassandra boots for minutes, so an
unanswered request is retried until DEADLINE_SECONDS; then, or on bad settings, it exits 1.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from smartbank.registry import SERVICES
from smartbank.serve import load_service
from smartbank.settings import PlatformSettings
from smartbank.storage import StorageError, TableStore, open_store

Opener = Callable[[PlatformSettings, str], TableStore]

DEADLINE_SECONDS = 600.0
RETRY_MAX_WAIT = 10.0


async def create_all(settings: PlatformSettings, opener: Opener, deadline: float) -> None:
    """Ensure each service's tables in registry order, retrying until `deadline` (monotonic)."""
    settings = settings.model_copy(update={"storage": "cassandra", "cassandra_schema": "create"})
    for spec in SERVICES:
        tables = load_service(spec.name).tables
        if not tables:
            continue
        store = opener(settings, spec.name)
        try:
            async for attempt in _retrying(deadline):
                with attempt:
                    await store.ensure(tables)
        finally:
            await store.close()
        print(f"keyspace {spec.package}: {len(tables)} tables", flush=True)


def _retrying(deadline: float) -> AsyncRetrying:
    return AsyncRetrying(
        retry=retry_if_exception_type(StorageError),
        wait=wait_exponential(multiplier=0.5, max=RETRY_MAX_WAIT),
        stop=lambda _: time.monotonic() >= deadline,
        before_sleep=_waiting,
        reraise=True,
    )


def _waiting(state: RetryCallState) -> None:
    problem = state.outcome.exception() if state.outcome else None
    print(f"Cassandra does not answer yet ({problem}); retrying", flush=True)


def main(opener: Opener = open_store, deadline_seconds: float = DEADLINE_SECONDS) -> int:
    """Exit status 0 once every keyspace exists; 1 when Cassandra never answered, or the
    settings are wrong (no CASSANDRA_HOSTS)."""
    try:
        deadline = time.monotonic() + deadline_seconds
        asyncio.run(create_all(PlatformSettings(), opener, deadline))
    except (StorageError, ValueError) as exc:
        print(f"schema not created: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
