from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smartbank import errors, timeutil
from smartbank.contracts.transactions import Transaction
from smartbank.params import time_text
from smartbank.storage import Row, TableStore
from transactions.domain import (
    AUTHORISED,
    CATEGORIES,
    DECLINE_REASONS,
    DECLINED,
    REVERSED,
    SETTLED,
    load,
    transaction_json,
)
from transactions.events import OUTBOX, change_event
from transactions.tables import TRANSACTIONS

MAX_ATTEMPTS = 20
Change = Callable[[Row], dict[str, Any] | None]


async def settle(
    store: TableStore, tx_id: str, amount: int, settled: str | None = None
) -> Transaction:
    _check_positive(amount)
    settled_text = time_text(settled, "settled") if settled else timeutil.now_text()

    def change(row: Row) -> dict[str, Any] | None:
        final = _direction(row) * amount
        if row["status"] == SETTLED and row["amount"] == final:
            return None
        if row["status"] == SETTLED:
            raise errors.conflict(
                "already_settled", "settled for another amount", amount=row["amount"]
            )
        _require_authorised(row)
        return {"status": SETTLED, "amount": final, "settled": settled_text}

    return transaction_json(await transition(store, tx_id, change))


async def reverse(
    store: TableStore, tx_id: str, amount: int | None = None, *, if_amount: int | None = None
) -> Transaction:
    """Reverse the whole transaction, or `amount` of it; with `if_amount`, only while its
    amount is still that (otherwise nothing changes and the caller reads it again)."""
    if amount is not None:
        _check_positive(amount)

    def change(row: Row) -> dict[str, Any] | None:
        if row["status"] == REVERSED:
            return None
        if if_amount is not None and row["amount"] != if_amount:
            return None
        _require_authorised(row)
        outstanding = abs(row["amount"])
        left = 0 if amount is None else max(outstanding - amount, 0)
        return {"amount": _direction(row) * left, "status": REVERSED if left == 0 else AUTHORISED}

    # A part taken off twice is not the same as once, unless it is guarded by the amount.
    convergent = amount is None or if_amount is not None
    return transaction_json(await transition(store, tx_id, change, convergent=convergent))


async def decline(store: TableStore, tx_id: str, decline_reason: str) -> Transaction:
    if decline_reason not in DECLINE_REASONS:
        raise errors.bad_request(
            "invalid_decline_reason",
            f"decline_reason must be one of {', '.join(DECLINE_REASONS)}",
            decline_reason=decline_reason,
        )

    def change(row: Row) -> dict[str, Any] | None:
        if row["status"] == DECLINED:
            return None
        _require_authorised(row)
        return {"status": DECLINED, "decline_reason": decline_reason}

    return transaction_json(await transition(store, tx_id, change))


async def enrich(store: TableStore, tx_id: str, merchant: str, category: str) -> Transaction:
    """Write back what enrichment resolved; the enriched event is enrichment's to publish."""
    if not merchant.startswith("merch_"):
        raise errors.bad_request("invalid_merchant", "a merchant id starts with merch_")
    if category not in CATEGORIES:
        raise errors.bad_request("invalid_category", "unknown category", category=category)

    def change(row: Row) -> dict[str, Any] | None:
        if row["merchant"] == merchant and row["category"] == category:
            return None
        return {"merchant": merchant, "category": category}

    return transaction_json(await transition(store, tx_id, change))


async def transition(
    store: TableStore, tx_id: str, change: Change, *, convergent: bool = True
) -> Row:
    """Apply `change` by compare-and-set on `version`, re-reading and retrying when another
    writer got in first; a change of status or amount also writes its event to the outbox.

    A write whose outcome is unknown (`Result.certain`) may have landed: a `convergent` change
    (applied to its own result it changes nothing more) is simply re-run on the row as it now
    is; any other answers `outcome_unknown`, and the caller reads and decides again."""
    row = await load(store, tx_id)
    for _ in range(MAX_ATTEMPTS):
        values = change(row)
        if values is None:
            return row
        values["version"] = row["version"] + 1
        event = change_event(row, row | values)
        if event is not None:
            await OUTBOX.announce(store, tx_id, [event])
            values["outbox"] = OUTBOX.holding(row, [event])
        result = await store.update(
            TRANSACTIONS, {"id": tx_id}, values, if_={"version": row["version"]}
        )
        if result.applied:
            return row | values
        if not result.certain and not convergent:  # it may have landed: again could double it
            raise errors.outcome_unknown(f"the change of {tx_id}")
        if event is not None:
            await OUTBOX.withdraw(store, result, [event])
        row = result.current or await load(store, tx_id)
    raise errors.conflict("transaction_busy", "too many concurrent changes; try again", id=tx_id)


def _require_authorised(row: Row) -> None:
    if row["status"] != AUTHORISED:
        raise errors.conflict(
            "transaction_final",
            f"transaction is {row['status']}",
            transaction_id=row["id"],
            status=row["status"],
        )


def _direction(row: Row) -> int:
    if row["amount_authorised"] == 0:
        return 1 if row["is_load"] else -1
    return 1 if row["amount_authorised"] > 0 else -1


def _check_positive(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise errors.bad_request(
            "invalid_amount", "amount must be a positive integer", amount=amount
        )
