"""Batches: one table, one partition, all ops or none."""

import pytest

from smartbank.storage import Delete, Insert, Result, StorageError, TableStore, Update

from .tables import COUNTERS, EVENTS


def event(seq: int, note: str = "n") -> dict:
    return {"account": "alice", "day": 1, "seq": seq, "note": note}


def key(seq: int) -> dict:
    return {"account": "alice", "day": 1, "seq": seq}


async def test_batch_applies_every_op_when_conditions_hold(store: TableStore) -> None:
    await store.insert(EVENTS, event(1, "old"))
    await store.insert(EVENTS, event(3))

    result = await store.batch(
        [
            Update(EVENTS, key(1), {"note": "new"}, if_={"note": "old"}),
            Insert(EVENTS, event(2), if_not_exists=True),
            Delete(EVENTS, key(3), if_exists=True),
        ]
    )

    assert result == Result(applied=True)
    rows = await store.query(EVENTS, {"account": "alice"})
    assert [(r["seq"], r["note"]) for r in rows] == [(1, "new"), (2, "n")]


async def test_batch_writes_nothing_when_one_condition_fails(store: TableStore) -> None:
    await store.insert(EVENTS, event(1, "old"))
    await store.insert(EVENTS, event(2, "taken"))

    result = await store.batch(
        [
            Update(EVENTS, key(1), {"note": "new"}, if_={"note": "old"}),
            Insert(EVENTS, event(2, "mine"), if_not_exists=True),
            Insert(EVENTS, event(3, "plain")),
        ]
    )

    assert result.applied is False
    assert result.current is None
    assert result.rows == {("alice", 1, 1): event(1, "old"), ("alice", 1, 2): event(2, "taken")}
    rows = await store.query(EVENTS, {"account": "alice"})
    assert [(r["seq"], r["note"]) for r in rows] == [(1, "old"), (2, "taken")]


async def test_batch_reports_none_for_missing_conditioned_rows(store: TableStore) -> None:
    result = await store.batch(
        [
            Update(EVENTS, key(1), {"note": "x"}, if_exists=True),
            Insert(EVENTS, event(2), if_not_exists=True),
        ]
    )

    assert result == Result(applied=False, rows={("alice", 1, 1): None, ("alice", 1, 2): None})
    assert await store.get(EVENTS, key(2)) is None


async def test_batch_applies_plain_ops_together(store: TableStore) -> None:
    result = await store.batch([Insert(EVENTS, event(1)), Insert(EVENTS, event(2))])

    assert result.applied
    assert len(await store.query(EVENTS, {"account": "alice"})) == 2


async def test_batch_rejects_ops_across_partitions(store: TableStore) -> None:
    ops = [Insert(EVENTS, event(1)), Insert(EVENTS, {**event(1), "account": "bob"})]

    with pytest.raises(StorageError):
        await store.batch(ops)
    assert await store.get(EVENTS, key(1)) is None


async def test_batch_rejects_ops_across_tables(store: TableStore) -> None:
    with pytest.raises(StorageError):
        await store.batch([Insert(EVENTS, event(1)), Insert(COUNTERS, {"name": "alice"})])


async def test_batch_rejects_empty_op_list(store: TableStore) -> None:
    with pytest.raises(ValueError):
        await store.batch([])
