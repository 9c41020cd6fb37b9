"""Compare-and-set holds under many concurrent tasks: no lost update, no double insert."""

import asyncio

from smartbank.storage import TableStore

from .tables import COUNTERS

TASKS = 200
# Every retry on Cassandra is a Paxos round on one partition; 200 contenders means ~20,000
# rounds, minutes of a real cluster's time. Fewer contenders still exercise the contention.
CASSANDRA_CAS_TASKS = 20


async def increment(store: TableStore, writer: str) -> int:
    """Read, then compare-and-set on the version; retry from the row the store reports.

    The writer id makes each write unique, so a timed-out round can be told apart from a
    competitor's identical increment (see TableStore.update).
    """
    row = await store.get(COUNTERS, {"name": "hits"})
    attempts = 0
    while True:
        assert row is not None
        attempts += 1
        values = {"value": row["value"] + 1, "version": row["version"] + 1, "writer": writer}
        result = await store.update(
            COUNTERS, {"name": "hits"}, values, if_={"version": row["version"]}
        )
        if result.applied:
            return attempts
        row = result.current


async def test_concurrent_compare_and_set_loses_no_increment(
    store: TableStore, backend: str
) -> None:
    tasks = CASSANDRA_CAS_TASKS if backend == "cassandra" else TASKS
    await store.insert(COUNTERS, {"name": "hits", "value": 0, "version": 0})

    attempts = await asyncio.gather(*(increment(store, f"w{i}") for i in range(tasks)))

    row = await store.get(COUNTERS, {"name": "hits"})
    assert row is not None and (row["value"], row["version"]) == (tasks, tasks)
    assert sum(attempts) >= tasks


async def test_concurrent_insert_if_not_exists_applies_exactly_once(store: TableStore) -> None:
    results = await asyncio.gather(
        *(
            store.insert(COUNTERS, {"name": "once", "value": i}, if_not_exists=True)
            for i in range(TASKS)
        )
    )

    winners = [i for i, result in enumerate(results) if result.applied]
    assert len(winners) == 1
    row = await store.get(COUNTERS, {"name": "once"})
    assert row is not None and row["value"] == winners[0]
    assert all(r.current == row for r in results if not r.applied)
