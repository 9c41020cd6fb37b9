import asyncio
from typing import Any, cast

import pytest

from smartbank.contracts.transactions import Transaction
from smartbank.storage import TableStore
from transactions import domain, lifecycle
from transactions.annotation import annotate
from transactions.tests.fakes import RacingStore, ReadTogetherStore, expect_error


@pytest.fixture
async def authorised(store: TableStore, new_tx: Any) -> Transaction:
    return await domain.create_transaction(store, new_tx())


async def test_annotate_adds_metadata_and_keeps_other_keys(
    store: TableStore, authorised: Any
) -> None:
    await annotate(store, "tx_1", {"trip": "paris"})
    annotated = await annotate(store, "tx_1", {"receipt": "r_1"})
    assert annotated.metadata == {"trip": "paris", "receipt": "r_1"}
    assert await domain.get_transaction(store, "tx_1") == annotated


async def test_annotate_with_empty_value_deletes_the_key(
    store: TableStore, authorised: Any
) -> None:
    await annotate(store, "tx_1", {"trip": "paris", "receipt": "r_1"})
    annotated = await annotate(store, "tx_1", {"trip": "", "absent": ""})
    assert annotated.metadata == {"receipt": "r_1"}


async def test_annotate_notes_sets_and_clears_the_notes_field(
    store: TableStore, authorised: Any
) -> None:
    noted = await annotate(store, "tx_1", {"notes": "coffee with Sam"})
    assert (noted.notes, noted.metadata) == ("coffee with Sam", {})
    cleared = await annotate(store, "tx_1", {"notes": ""})
    assert (cleared.notes, cleared.metadata) == ("", {})


async def test_annotate_without_changes_leaves_the_version(
    store: TableStore, authorised: Any
) -> None:
    once = await annotate(store, "tx_1", {"trip": "paris"})
    again = await annotate(store, "tx_1", {"trip": "paris", "gone": ""})
    assert again == once
    assert once.version == authorised.version + 1


async def test_annotate_leaves_status_and_amount(store: TableStore, authorised: Any) -> None:
    annotated = await annotate(store, "tx_1", {"trip": "paris", "notes": "n"})
    unchanged = {"metadata", "notes", "version"}
    assert {k: v for k, v in annotated.model_dump().items() if k not in unchanged} == {
        k: v for k, v in authorised.model_dump().items() if k not in unchanged
    }


async def test_annotate_concurrently_keeps_both_keys(store: TableStore, authorised: Any) -> None:
    racing = RacingStore(store, lambda: annotate(store, "tx_1", {"b": "2", "notes": "theirs"}))
    annotated = await annotate(cast(TableStore, racing), "tx_1", {"a": "1"})
    assert (annotated.metadata, annotated.notes) == ({"a": "1", "b": "2"}, "theirs")
    assert await domain.get_transaction(store, "tx_1") == annotated


async def test_annotate_many_at_once_loses_no_key(store: TableStore, authorised: Any) -> None:
    racing = ReadTogetherStore(store, readers=8)
    writers = (annotate(cast(TableStore, racing), "tx_1", {f"k{n}": str(n)}) for n in range(8))
    await asyncio.gather(*writers)
    stored = await domain.get_transaction(store, "tx_1")
    assert stored.metadata == {f"k{n}": str(n) for n in range(8)}
    assert racing.missed >= 7


async def test_annotate_during_a_settlement_keeps_both(store: TableStore, authorised: Any) -> None:
    racing = RacingStore(store, lambda: annotate(store, "tx_1", {"trip": "paris"}))
    settled = await lifecycle.settle(cast(TableStore, racing), "tx_1", 350)
    assert (settled.status, settled.metadata) == ("settled", {"trip": "paris"})


async def test_annotate_when_unknown_is_not_found(store: TableStore) -> None:
    await expect_error("not_found.transaction", annotate(store, "tx_missing", {"a": "1"}))


@pytest.mark.parametrize(
    "metadata",
    [
        {"": "x"},
        {"k" * 101: "x"},
        {"key": "v" * 1_001},
        {"notes": "n" * 5_001},
        {f"k{n}": "v" for n in range(52)},
    ],
)
async def test_annotate_with_bad_metadata_is_rejected(
    store: TableStore, authorised: Any, metadata: dict[str, str]
) -> None:
    await expect_error("bad_request.invalid_metadata", annotate(store, "tx_1", metadata))
    assert (await domain.get_transaction(store, "tx_1")).metadata == {}


async def test_annotate_past_the_key_limit_is_rejected(store: TableStore, authorised: Any) -> None:
    await annotate(store, "tx_1", {f"k{n}": "v" for n in range(50)})
    await expect_error("bad_request.invalid_metadata", annotate(store, "tx_1", {"one": "more"}))
    replaced = await annotate(store, "tx_1", {"k0": "", "one": "more", "notes": "fine"})
    assert len(replaced.metadata) == 50
