"""Declarations only grow: a table declared again with more columns keeps its rows."""

from dataclasses import replace

from smartbank.storage import TableStore

from .tables import COUNTERS


async def test_ensure_adds_columns_a_newer_declaration_has(store: TableStore) -> None:
    await store.insert(COUNTERS, {"name": "c", "value": 1, "version": 1})
    grown = replace(COUNTERS, columns={**COUNTERS.columns, "label": str, "tags": list})

    await store.ensure([grown])
    await store.ensure([grown])
    before = await store.get(grown, {"name": "c"})
    await store.update(grown, {"name": "c"}, {"label": "first", "tags": ["a"]})

    assert before == {
        "name": "c",
        "value": 1,
        "version": 1,
        "writer": None,
        "label": None,
        "tags": None,
    }
    assert await store.get(grown, {"name": "c"}) == {
        "name": "c",
        "value": 1,
        "version": 1,
        "writer": None,
        "label": "first",
        "tags": ["a"],
    }
