from typing import Any

from smartbank.storage import TableStore
from transactions import domain, lifecycle
from transactions.spend import spend_since
from transactions.tests.fakes import expect_error

SINCE = "2026-11-22T00:00:00Z"
TODAY = "2026-11-22T10:00:00Z"


async def test_spend_since_sums_authorised_and_settled_card_debits(
    store: TableStore, new_tx: Any
) -> None:
    await domain.create_transaction(store, new_tx(id="tx_a", amount=-350, created=TODAY))
    await domain.create_transaction(
        store, new_tx(id="tx_s", amount=-1_000, status="settled", created=TODAY)
    )
    assert (await spend_since(store, "acc_1", SINCE)).model_dump() == {
        "account_id": "acc_1",
        "since": "2026-11-22T00:00:00.000Z",
        "currency": "GBP",
        "spend": -1_350,
    }


async def test_spend_since_skips_declined_and_reversed(store: TableStore, new_tx: Any) -> None:
    await domain.create_transaction(store, new_tx(id="tx_a", amount=-100, created=TODAY))
    declined = new_tx(id="tx_d", status="declined", decline_reason="OTHER", created=TODAY)
    await domain.create_transaction(store, declined)
    await domain.create_transaction(store, new_tx(id="tx_late", created=TODAY))
    await lifecycle.decline(store, "tx_late", "INSUFFICIENT_FUNDS")
    await domain.create_transaction(store, new_tx(id="tx_r", created=TODAY))
    await lifecycle.reverse(store, "tx_r")
    assert (await spend_since(store, "acc_1", SINCE)).spend == -100


async def test_spend_since_counts_what_a_partial_reversal_left(
    store: TableStore, new_tx: Any
) -> None:
    await domain.create_transaction(store, new_tx(amount=-500, created=TODAY))
    await lifecycle.reverse(store, "tx_1", 200)
    assert (await spend_since(store, "acc_1", SINCE)).spend == -300


async def test_spend_since_skips_loads_and_transfers(store: TableStore, new_tx: Any) -> None:
    await domain.create_transaction(
        store, new_tx(id="tx_load", amount=5_000, is_load=True, card_id=None, created=TODAY)
    )
    await domain.create_transaction(
        store, new_tx(id="tx_transfer", amount=-700, card_id=None, created=TODAY)
    )
    await domain.create_transaction(store, new_tx(id="tx_refund", amount=250, created=TODAY))
    assert (await spend_since(store, "acc_1", SINCE)).spend == 0


async def test_spend_since_skips_earlier_and_other_accounts(store: TableStore, new_tx: Any) -> None:
    await domain.create_transaction(store, new_tx(id="tx_old", created="2026-11-21T23:59:59Z"))
    await domain.create_transaction(store, new_tx(id="tx_edge", amount=-1, created=SINCE))
    await domain.create_transaction(store, new_tx(id="tx_x", account_id="acc_2", created=TODAY))
    assert (await spend_since(store, "acc_1", SINCE)).spend == -1


async def test_spend_since_reads_every_page(store: TableStore, new_tx: Any) -> None:
    for number in range(5):
        await domain.create_transaction(store, new_tx(id=f"tx_{number}", amount=-10, created=TODAY))
    assert (await spend_since(store, "acc_1", SINCE, page=2)).spend == -50


async def test_spend_since_without_recent_spend_keeps_the_currency(
    store: TableStore, new_tx: Any
) -> None:
    await domain.create_transaction(store, new_tx(currency="EUR", created="2026-11-01T09:00:00Z"))
    assert (await spend_since(store, "acc_1", SINCE)).model_dump() == {
        "account_id": "acc_1",
        "since": "2026-11-22T00:00:00.000Z",
        "currency": "EUR",
        "spend": 0,
    }
    assert (await spend_since(store, "acc_none", SINCE)).currency == ""


async def test_spend_since_with_bad_time_is_rejected(store: TableStore) -> None:
    await expect_error("bad_request.invalid_time", spend_since(store, "acc_1", "today"))
