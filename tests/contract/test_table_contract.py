"""Single-row reads and writes, plain and conditional, on every backend."""

from smartbank.storage import Result, TableStore

from .tables import COUNTERS, EVENTS

ALICE_1 = {"account": "alice", "day": 1, "seq": 1}


def counter(value: int | None, version: int | None) -> dict:
    """A full counters row as reads return it."""
    return {"name": "c", "value": value, "version": version, "writer": None}


async def test_get_returns_none_when_row_is_missing(store: TableStore) -> None:
    assert await store.get(EVENTS, ALICE_1) is None


async def test_get_returns_every_column_when_row_is_present(store: TableStore) -> None:
    await store.insert(EVENTS, {**ALICE_1, "note": "hello"})

    assert await store.get(EVENTS, ALICE_1) == {**ALICE_1, "note": "hello"}


async def test_get_returns_absent_columns_as_none(store: TableStore) -> None:
    await store.insert(EVENTS, ALICE_1)

    assert await store.get(EVENTS, ALICE_1) == {**ALICE_1, "note": None}


async def test_insert_upserts_given_columns_when_row_exists(store: TableStore) -> None:
    await store.insert(COUNTERS, {"name": "c", "value": 1, "version": 1})

    result = await store.insert(COUNTERS, {"name": "c", "value": 2})

    assert result == Result(applied=True)
    assert await store.get(COUNTERS, {"name": "c"}) == counter(2, 1)


async def test_update_creates_row_when_missing(store: TableStore) -> None:
    result = await store.update(COUNTERS, {"name": "c"}, {"value": 5})

    assert result.applied
    assert await store.get(COUNTERS, {"name": "c"}) == counter(5, None)


async def test_insert_if_not_exists_applies_when_row_is_missing(store: TableStore) -> None:
    result = await store.insert(EVENTS, {**ALICE_1, "note": "first"}, if_not_exists=True)

    assert result == Result(applied=True)
    assert (await store.get(EVENTS, ALICE_1) or {})["note"] == "first"


async def test_insert_if_not_exists_reports_existing_row_when_present(store: TableStore) -> None:
    await store.insert(EVENTS, {**ALICE_1, "note": "first"})

    result = await store.insert(EVENTS, {**ALICE_1, "note": "second"}, if_not_exists=True)

    assert result.applied is False
    assert result.current == {**ALICE_1, "note": "first"}
    assert (await store.get(EVENTS, ALICE_1) or {})["note"] == "first"


async def test_update_if_applies_when_condition_holds(store: TableStore) -> None:
    await store.insert(COUNTERS, {"name": "c", "value": 1, "version": 7})

    result = await store.update(
        COUNTERS, {"name": "c"}, {"value": 2, "version": 8}, if_={"version": 7}
    )

    assert result == Result(applied=True)
    assert await store.get(COUNTERS, {"name": "c"}) == counter(2, 8)


async def test_update_if_reports_current_row_when_condition_fails(store: TableStore) -> None:
    await store.insert(COUNTERS, {"name": "c", "value": 1, "version": 7})

    result = await store.update(COUNTERS, {"name": "c"}, {"value": 9}, if_={"version": 6})

    assert result.applied is False
    assert result.current == counter(1, 7)
    assert (await store.get(COUNTERS, {"name": "c"}) or {})["value"] == 1


async def test_update_if_none_applies_when_column_is_null(store: TableStore) -> None:
    await store.insert(COUNTERS, {"name": "c", "value": 1})

    result = await store.update(COUNTERS, {"name": "c"}, {"version": 1}, if_={"version": None})

    assert result.applied
    assert (await store.get(COUNTERS, {"name": "c"}) or {})["version"] == 1


async def test_update_if_none_fails_when_column_has_value(store: TableStore) -> None:
    await store.insert(COUNTERS, {"name": "c", "value": 1, "version": 3})

    result = await store.update(COUNTERS, {"name": "c"}, {"version": 1}, if_={"version": None})

    assert result.applied is False
    assert result.current == counter(1, 3)


async def test_update_if_fails_with_no_current_row_when_row_is_missing(store: TableStore) -> None:
    result = await store.update(COUNTERS, {"name": "c"}, {"value": 1}, if_={"version": 1})

    assert result == Result(applied=False, current=None)
    assert await store.get(COUNTERS, {"name": "c"}) is None


async def test_update_if_exists_does_not_create_missing_row(store: TableStore) -> None:
    result = await store.update(COUNTERS, {"name": "c"}, {"value": 1}, if_exists=True)

    assert result == Result(applied=False, current=None)
    assert await store.get(COUNTERS, {"name": "c"}) is None


async def test_update_if_exists_applies_when_row_exists(store: TableStore) -> None:
    await store.insert(COUNTERS, {"name": "c", "value": 1})

    result = await store.update(COUNTERS, {"name": "c"}, {"value": 2}, if_exists=True)

    assert result.applied
    assert (await store.get(COUNTERS, {"name": "c"}) or {})["value"] == 2


async def test_delete_removes_row(store: TableStore) -> None:
    await store.insert(EVENTS, ALICE_1)

    result = await store.delete(EVENTS, ALICE_1)

    assert result.applied
    assert await store.get(EVENTS, ALICE_1) is None


async def test_delete_if_exists_is_not_applied_when_row_is_missing(store: TableStore) -> None:
    result = await store.delete(EVENTS, ALICE_1, if_exists=True)

    assert result == Result(applied=False, current=None)


async def test_delete_if_exists_applies_when_row_exists(store: TableStore) -> None:
    await store.insert(EVENTS, ALICE_1)

    result = await store.delete(EVENTS, ALICE_1, if_exists=True)

    assert result.applied
    assert await store.get(EVENTS, ALICE_1) is None


async def test_delete_if_keeps_row_when_condition_fails(store: TableStore) -> None:
    await store.insert(COUNTERS, {"name": "c", "value": 1, "version": 2})

    result = await store.delete(COUNTERS, {"name": "c"}, if_={"version": 1})

    assert result.applied is False
    assert result.current == counter(1, 2)
    assert await store.get(COUNTERS, {"name": "c"}) is not None


async def test_ping_succeeds_when_store_is_healthy(store: TableStore) -> None:
    await store.ping()
