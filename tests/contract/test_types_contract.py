"""Values come back as the Python types they went in as; bad input is refused before storage."""

from pathlib import Path

import pytest

from smartbank.settings import PlatformSettings
from smartbank.storage import Insert, Table, TableStore, Update, open_store

from .tables import ALL_TABLES, COUNTERS, EVENTS, TYPED

FULL_ROW = {
    "id": "r1",
    "label": "naïve ✓ 'quoted'",
    "number": 2**63 - 1,
    "flag": True,
    "ratio": 0.1,
    "doc": {"b": [1, 2], "a": {"nested": None}, "amount": 1050},
    "items": ["x", 1, False, None],
}


async def test_insert_round_trips_every_type(store: TableStore) -> None:
    await store.insert(TYPED, FULL_ROW)

    row = await store.get(TYPED, {"id": "r1"})

    assert row == FULL_ROW
    assert row is not None and type(row["flag"]) is bool and type(row["ratio"]) is float


@pytest.mark.parametrize(
    "values",
    [
        {"number": -(2**63), "flag": False, "ratio": -2.5, "doc": {}, "items": []},
        {"label": "", "number": 0, "ratio": 3},
        {"label": None, "number": None, "flag": None, "ratio": None, "doc": None, "items": None},
    ],
)
async def test_update_round_trips_edge_values(store: TableStore, values: dict) -> None:
    await store.insert(TYPED, FULL_ROW)

    await store.update(TYPED, {"id": "r1"}, values)

    row = await store.get(TYPED, {"id": "r1"})
    assert row == {**FULL_ROW, **values}
    assert row is not None and (row["ratio"] is None or type(row["ratio"]) is float)


async def test_update_if_compares_dicts_by_value(store: TableStore) -> None:
    await store.insert(TYPED, {"id": "r1", "doc": {"a": 1, "b": 2}})

    result = await store.update(TYPED, {"id": "r1"}, {"label": "x"}, if_={"doc": {"b": 2, "a": 1}})

    assert result.applied


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.insert(EVENTS, {"account": "a", "day": 1, "seq": 1, "colour": "red"}),
        lambda s: s.insert(EVENTS, {"account": "a", "day": 1}),
        lambda s: s.get(EVENTS, {"account": "a", "day": 1}),
        lambda s: s.get(EVENTS, {"account": "a", "day": 1, "seq": 1, "note": "x"}),
        lambda s: s.update(COUNTERS, {"name": "c"}, {"colour": 1}),
        lambda s: s.update(COUNTERS, {"name": "c"}, {"name": "d"}),
        lambda s: s.update(COUNTERS, {"name": "c"}, {"value": 1}, if_={"colour": 1}),
        lambda s: s.update(COUNTERS, {"name": "c"}, {"value": 1}, if_={"v": 1}, if_exists=True),
        lambda s: s.delete(COUNTERS, {"name": None}),
        lambda s: s.insert(COUNTERS, {"name": "c", "value": "one"}),
        lambda s: s.insert(COUNTERS, {"name": "c", "value": True}),
        lambda s: s.insert(COUNTERS, {"name": "c", "value": 2**63}),
        lambda s: s.batch([Insert(COUNTERS, {"name": "c"}), Update(COUNTERS, {}, {"value": 1})]),
    ],
)
async def test_write_and_read_reject_bad_columns_and_keys(store: TableStore, call) -> None:
    with pytest.raises(ValueError):
        await call(store)
    assert await store.get(COUNTERS, {"name": "c"}) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "Bad-Name", "columns": {"id": str}, "partition_key": ("id",)},
        {"name": "t", "columns": {"id": str}, "partition_key": ("missing",)},
        {"name": "t", "columns": {"id": str}, "partition_key": ()},
        {"name": "t", "columns": {"id": bytes}, "partition_key": ("id",)},
        {"name": "t", "columns": {"id": dict}, "partition_key": ("id",)},
        {
            "name": "t",
            "columns": {"id": str, "c": int},
            "partition_key": ("id",),
            "clustering": ("x",),
        },
    ],
)
def test_table_rejects_invalid_declarations(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Table(**kwargs)


def test_table_primary_key_is_partition_then_clustering() -> None:
    assert EVENTS.primary_key == ("account", "day", "seq")


async def test_sqlite_file_keeps_rows_when_reopened(tmp_path: Path) -> None:
    settings = PlatformSettings(storage="sqlite", data_dir=tmp_path / "nested" / "data")
    first = open_store(settings, "card-api")
    await first.ensure(ALL_TABLES)
    await first.insert(TYPED, FULL_ROW)
    await first.close()

    second = open_store(settings, "card-api")
    await second.ensure(ALL_TABLES)
    row = await second.get(TYPED, {"id": "r1"})
    await second.close()

    assert row == FULL_ROW
    assert (tmp_path / "nested" / "data" / "card-api.sqlite3").is_file()


def test_open_store_rejects_cassandra_without_hosts() -> None:
    with pytest.raises(ValueError):
        open_store(PlatformSettings(storage="cassandra", cassandra_hosts=" , "), "card-api")
