"""Partition slices: clustering order, limits and tuple bounds over a clustering prefix."""

import pytest

from smartbank.storage import TableStore

from .tables import EVENTS

ALICE = {"account": "alice"}


@pytest.fixture
async def events(store: TableStore) -> TableStore:
    """Alice has days 1..3 with seq 1..3 each (inserted out of order); bob has one row."""
    for day in (3, 1, 2):
        for seq in (2, 3, 1):
            await store.insert(EVENTS, {"account": "alice", "day": day, "seq": seq, "note": "a"})
    await store.insert(EVENTS, {"account": "bob", "day": 2, "seq": 1, "note": "b"})
    return store


def keys(rows: list[dict]) -> list[tuple[int, int]]:
    return [(r["day"], r["seq"]) for r in rows]


ALL_ALICE = [(d, s) for d in (1, 2, 3) for s in (1, 2, 3)]


async def test_query_returns_partition_in_ascending_clustering_order(events: TableStore) -> None:
    rows = await events.query(EVENTS, ALICE)

    assert keys(rows) == ALL_ALICE
    assert rows[0] == {"account": "alice", "day": 1, "seq": 1, "note": "a"}


async def test_query_returns_descending_order_when_asked(events: TableStore) -> None:
    rows = await events.query(EVENTS, ALICE, descending=True)

    assert keys(rows) == list(reversed(ALL_ALICE))


async def test_query_limits_rows_from_the_start_of_the_order(events: TableStore) -> None:
    assert keys(await events.query(EVENTS, ALICE, limit=2)) == [(1, 1), (1, 2)]
    assert keys(await events.query(EVENTS, ALICE, limit=2, descending=True)) == [(3, 3), (3, 2)]


async def test_query_keeps_partitions_apart(events: TableStore) -> None:
    assert keys(await events.query(EVENTS, {"account": "bob"})) == [(2, 1)]
    assert await events.query(EVENTS, {"account": "carol"}) == []


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({"gt": (2, 2)}, [(2, 3), (3, 1), (3, 2), (3, 3)]),
        ({"ge": (2, 2)}, [(2, 2), (2, 3), (3, 1), (3, 2), (3, 3)]),
        ({"lt": (1, 3)}, [(1, 1), (1, 2)]),
        ({"le": (1, 3)}, [(1, 1), (1, 2), (1, 3)]),
        ({"gt": (1, 2), "lt": (2, 2)}, [(1, 3), (2, 1)]),
        ({"ge": (1, 3), "le": (2, 1)}, [(1, 3), (2, 1)]),
    ],
)
async def test_query_compares_full_tuples_when_bounds_cover_clustering(
    events: TableStore, bounds: dict, expected: list
) -> None:
    assert keys(await events.query(EVENTS, ALICE, **bounds)) == expected


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({"gt": (2,)}, [(3, 1), (3, 2), (3, 3)]),
        ({"ge": (2,)}, [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)]),
        ({"lt": (2,)}, [(1, 1), (1, 2), (1, 3)]),
        ({"le": (1,)}, [(1, 1), (1, 2), (1, 3)]),
        ({"ge": (2,), "lt": (3,)}, [(2, 1), (2, 2), (2, 3)]),
        ({"gt": (1, 2), "le": (2,)}, [(1, 3), (2, 1), (2, 2), (2, 3)]),
    ],
)
async def test_query_compares_prefix_when_bounds_are_shorter(
    events: TableStore, bounds: dict, expected: list
) -> None:
    assert keys(await events.query(EVENTS, ALICE, **bounds)) == expected


async def test_query_applies_bounds_and_limit_in_descending_order(events: TableStore) -> None:
    rows = await events.query(EVENTS, ALICE, lt=(3, 1), limit=3, descending=True)

    assert keys(rows) == [(2, 3), (2, 2), (2, 1)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"gt": (1, 1, 1)},
        {"gt": ()},
        {"gt": (1,), "ge": (1,)},
        {"lt": (1,), "le": (1,)},
        {"limit": 0},
    ],
)
async def test_query_rejects_bad_bounds_and_limits(events: TableStore, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        await events.query(EVENTS, ALICE, **kwargs)


async def test_query_rejects_partition_missing_key_column(events: TableStore) -> None:
    with pytest.raises(ValueError):
        await events.query(EVENTS, {"day": 1})
