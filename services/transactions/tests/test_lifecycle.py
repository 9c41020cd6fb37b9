import asyncio
from typing import Any, cast

import pytest

from smartbank.contracts.transactions import Transaction
from smartbank.storage import Result, TableStore
from transactions import domain, lifecycle
from transactions.tests.fakes import RacingStore, expect_error


@pytest.fixture
async def authorised(store: TableStore, new_tx: Any) -> Transaction:
    return await domain.create_transaction(store, new_tx())


async def test_settle_when_authorised_sets_final_debit(store: TableStore, authorised: Any) -> None:
    settled = await lifecycle.settle(store, "tx_1", 400, "2026-11-23 09:00:00")
    assert settled == authorised.model_copy(
        update={
            "status": "settled",
            "amount": -400,
            "amount_authorised": -350,
            "settled": "2026-11-23T09:00:00.000Z",
            "version": 2,
        }
    )
    assert await domain.get_transaction(store, "tx_1") == settled


async def test_settle_when_load_stays_positive(store: TableStore, new_tx: Any) -> None:
    await domain.create_transaction(store, new_tx(amount=5_000, is_load=True))
    settled = await lifecycle.settle(store, "tx_1", 5_000)
    assert settled.amount == 5_000
    assert settled.settled.endswith("Z")


async def test_settle_twice_with_same_amount_returns_it(store: TableStore, authorised: Any) -> None:
    first = await lifecycle.settle(store, "tx_1", 350)
    assert await lifecycle.settle(store, "tx_1", 350) == first


async def test_settle_twice_with_other_amount_conflicts(store: TableStore, authorised: Any) -> None:
    await lifecycle.settle(store, "tx_1", 350)
    await expect_error("conflict.already_settled", lifecycle.settle(store, "tx_1", 351))
    assert (await domain.get_transaction(store, "tx_1")).amount == -350


async def test_settle_when_reversed_or_declined_is_final(store: TableStore, new_tx: Any) -> None:
    await domain.create_transaction(store, new_tx(id="tx_r"))
    await lifecycle.reverse(store, "tx_r")
    declined = new_tx(id="tx_d", status="declined", decline_reason="OTHER")
    await domain.create_transaction(store, declined)
    await expect_error("conflict.transaction_final", lifecycle.settle(store, "tx_r", 350))
    await expect_error("conflict.transaction_final", lifecycle.settle(store, "tx_d", 350))


@pytest.mark.parametrize("amount", [0, -350])
async def test_settle_with_non_positive_amount_is_rejected(
    store: TableStore, authorised: Any, amount: int
) -> None:
    await expect_error("bad_request.invalid_amount", lifecycle.settle(store, "tx_1", amount))


async def test_settle_when_unknown_is_not_found(store: TableStore) -> None:
    await expect_error("not_found.transaction", lifecycle.settle(store, "tx_missing", 1))


async def test_reverse_in_full_marks_it_reversed(store: TableStore, authorised: Any) -> None:
    reversed_ = await lifecycle.reverse(store, "tx_1")
    assert reversed_.status == "reversed"
    assert reversed_.amount == 0
    assert reversed_.amount_authorised == -350
    assert "decline_reason" not in reversed_.model_dump()
    assert await lifecycle.reverse(store, "tx_1") == reversed_


async def test_reverse_in_part_lowers_the_outstanding_amount(
    store: TableStore, authorised: Any
) -> None:
    partly = await lifecycle.reverse(store, "tx_1", 150)
    assert (partly.status, partly.amount) == ("authorised", -200)
    rest = await lifecycle.reverse(store, "tx_1", 200)
    assert (rest.status, rest.amount) == ("reversed", 0)


async def test_reverse_more_than_outstanding_reverses_all(
    store: TableStore, authorised: Any
) -> None:
    reversed_ = await lifecycle.reverse(store, "tx_1", 1_000)
    assert (reversed_.status, reversed_.amount) == ("reversed", 0)


async def test_reverse_when_settled_or_declined_is_final(store: TableStore, new_tx: Any) -> None:
    await domain.create_transaction(store, new_tx(id="tx_s", status="settled"))
    declined = new_tx(id="tx_d", status="declined", decline_reason="OTHER")
    await domain.create_transaction(store, declined)
    await expect_error("conflict.transaction_final", lifecycle.reverse(store, "tx_s"))
    await expect_error("conflict.transaction_final", lifecycle.reverse(store, "tx_d", 10))


async def test_reverse_concurrent_parts_lose_none(store: TableStore, new_tx: Any) -> None:
    await domain.create_transaction(store, new_tx(amount=-100))
    await asyncio.gather(*(lifecycle.reverse(store, "tx_1", 10) for _ in range(5)))
    assert (await domain.get_transaction(store, "tx_1")).amount == -50


async def test_decline_when_authorised_records_the_reason(
    store: TableStore, authorised: Any
) -> None:
    declined = await lifecycle.decline(store, "tx_1", "OTHER")
    assert declined.status == "declined"
    assert declined.decline_reason == "OTHER"
    assert await lifecycle.decline(store, "tx_1", "CARD_BLOCKED") == declined


async def test_decline_when_settled_or_reversed_is_final(store: TableStore, new_tx: Any) -> None:
    await domain.create_transaction(store, new_tx(id="tx_s", status="settled"))
    await domain.create_transaction(store, new_tx(id="tx_r"))
    await lifecycle.reverse(store, "tx_r")
    await expect_error("conflict.transaction_final", lifecycle.decline(store, "tx_s", "OTHER"))
    await expect_error("conflict.transaction_final", lifecycle.decline(store, "tx_r", "OTHER"))


async def test_decline_with_unknown_reason_is_rejected(store: TableStore, authorised: Any) -> None:
    await expect_error("bad_request.invalid_decline_reason", lifecycle.decline(store, "tx_1", "x"))


async def test_settle_after_concurrent_reversal_is_final(
    store: TableStore, authorised: Any
) -> None:
    racing = RacingStore(store, lambda: lifecycle.reverse(store, "tx_1"))
    settling = lifecycle.settle(cast(TableStore, racing), "tx_1", 350)
    await expect_error("conflict.transaction_final", settling)
    assert (await domain.get_transaction(store, "tx_1")).status == "reversed"


async def test_reverse_after_concurrent_partial_reversal_counts_both(
    store: TableStore, authorised: Any
) -> None:
    racing = RacingStore(store, lambda: lifecycle.reverse(store, "tx_1", 100))
    result = await lifecycle.reverse(cast(TableStore, racing), "tx_1", 50)
    assert result.amount == -200


async def test_change_whose_outcome_is_unknown_is_not_applied_again(
    store: TableStore, authorised: Any
) -> None:
    class TimedOut:  # a Cassandra round that timed out, read back before it finished
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        async def update(self, table: Any, key: Any, values: Any, **kwargs: Any) -> Result:
            current = await store.get(table, key)
            return Result(False, current=current, certain=False)

    await expect_error(
        "unavailable.outcome_unknown", lifecycle.reverse(cast(TableStore, TimedOut()), "tx_1", 50)
    )
    assert (await domain.get_transaction(store, "tx_1")).amount == -350


async def test_final_change_whose_outcome_is_unknown_is_run_again_on_the_row_as_it_is(
    store: TableStore, authorised: Any
) -> None:
    class LandedLate:  # the round timed out, then landed before the row was read again
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        async def update(self, table: Any, key: Any, values: Any, **kwargs: Any) -> Result:
            await store.update(table, key, values)
            return Result(False, current=None, certain=False)

    settled = await lifecycle.settle(cast(TableStore, LandedLate()), "tx_1", 340)
    assert (settled.amount, settled.settled != "") == (-340, True)


async def test_reverse_guarded_by_an_amount_that_changed_changes_nothing(
    store: TableStore, authorised: Any
) -> None:
    changed = await lifecycle.reverse(store, "tx_1", 50, if_amount=-350)
    again = await lifecycle.reverse(store, "tx_1", 50, if_amount=-350)  # sent again: stale guard
    assert changed.amount == again.amount == -300
