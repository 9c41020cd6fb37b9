from typing import Any

from balance import checks, ledger
from balance.ledger import Balance, Movement
from smartbank import errors, timeutil
from smartbank.contracts.balance import Hold
from smartbank.storage import Row, TableStore

HELD, CAPTURED, RELEASED = "held", "captured", "released"


def hold_entry(hold_id: str) -> str:
    return f"hold:{hold_id}"


def hold_of(row: Row) -> Hold:
    return Hold(
        hold_id=row["entry"].removeprefix("hold:"),
        account_id=row["account_id"],
        amount=row["amount"],
        original_amount=row["original_amount"],
        captured_amount=row["captured_amount"],
        currency=row["currency"],
        state=row["state"],
        expires_at=row["expires_at"],
    )


async def reserve(
    store: TableStore, account_id: str, hold_id: str, amount: Any, currency: Any, expires_at: Any
) -> Hold:
    checks.identifier(hold_id, "hold_id")
    amount = checks.positive_amount(amount)
    currency = checks.currency(currency)
    expires_at = checks.timestamp(expires_at, "expires_at")

    def decide(balance: Balance, hold: Row | None) -> Movement | None:
        if hold is not None and hold["original_amount"] == 0:
            raise errors.conflict(
                "hold_released", f"hold {hold_id} was released before it was placed"
            )
        if hold is not None:
            if hold["original_amount"] != amount or hold["currency"] != currency:
                raise errors.conflict(
                    "hold_mismatch", f"hold {hold_id} exists with other content", hold_id=hold_id
                )
            return None
        checks.same_currency(balance.currency, currency)
        if amount > balance.available:
            raise errors.bad_request(
                "insufficient_funds",
                f"{amount} requested, {balance.available} available",
                available=balance.available,
                requested=amount,
            )
        return Movement(_new_hold(amount, currency, expires_at), held_delta=amount)

    return hold_of(await ledger.transact(store, account_id, hold_entry(hold_id), decide))


async def get(store: TableStore, account_id: str, hold_id: str) -> Hold:
    await ledger.read_balance(store, account_id)
    row = await ledger.read_entry(store, account_id, hold_entry(hold_id))
    return hold_of(_require_hold(row, hold_id))


async def capture(
    store: TableStore,
    account_id: str,
    hold_id: str,
    amount: Any,
    currency: Any,
    tolerance: Any = 0,
) -> Hold:
    """Take the hold for its final amount: at most what it holds plus `tolerance`, which the
    caller states (a tip within the merchant category's allowance); never more."""
    amount = checks.positive_amount(amount)
    currency = checks.currency(currency)
    tolerance = checks.non_negative_amount(tolerance, "tolerance")

    def decide(_: Balance, found: Row | None) -> Movement | None:
        hold = _require_hold(found, hold_id)
        checks.same_currency(hold["currency"], currency)
        if hold["state"] == CAPTURED and hold["captured_amount"] == amount:
            return None
        if hold["state"] == CAPTURED:
            raise errors.conflict(
                "already_captured",
                f"hold {hold_id} was captured for {hold['captured_amount']}",
                captured_amount=hold["captured_amount"],
            )
        if hold["state"] == RELEASED:
            raise errors.conflict("hold_released", f"hold {hold_id} was released")
        if amount > hold["amount"] + tolerance:
            raise errors.bad_request(
                "exceeds_hold",
                f"{amount} is more than hold {hold_id} allows ({hold['amount']} + {tolerance})",
                held=hold["amount"],
                tolerance=tolerance,
            )
        captured = {"amount": 0, "captured_amount": amount, "state": CAPTURED}
        return Movement(captured, ledger_delta=-amount, held_delta=-hold["amount"])

    return hold_of(await ledger.transact(store, account_id, hold_entry(hold_id), decide))


async def release(
    store: TableStore, account_id: str, hold_id: str, release_id: Any, amount: Any = None
) -> Hold:
    release_id = checks.identifier(release_id, "release_id")
    wanted = None if amount is None else checks.positive_amount(amount)

    def decide(balance: Balance, found: Row | None) -> Movement | None:
        if found is None:
            return Movement(_released_before_placed(balance.currency, release_id))
        hold = found
        if release_id in hold["release_ids"] or hold["state"] == RELEASED:
            return None
        if hold["state"] == CAPTURED:
            raise errors.conflict("already_captured", f"hold {hold_id} was captured")
        released = min(wanted or hold["amount"], hold["amount"])
        remaining = hold["amount"] - released
        values = {
            "amount": remaining,
            "state": HELD if remaining else RELEASED,
            "release_ids": [*hold["release_ids"], release_id],
        }
        return Movement(values, held_delta=-released)

    return hold_of(await ledger.transact(store, account_id, hold_entry(hold_id), decide))


def _new_hold(amount: int, currency: str, expires_at: str) -> dict[str, Any]:
    return {
        "amount": amount,
        "original_amount": amount,
        "captured_amount": 0,
        "currency": currency,
        "state": HELD,
        "expires_at": expires_at,
        "release_ids": [],
        "created": timeutil.now_text(),
    }


def _released_before_placed(currency: str, release_id: str) -> dict[str, Any]:
    """A release can overtake its reserve (the caller gave up waiting for it): remember it, so
    the reserve that lands late places nothing."""
    tombstone = _new_hold(0, currency, timeutil.now_text())
    return {**tombstone, "state": RELEASED, "release_ids": [release_id]}


def _require_hold(row: Row | None, hold_id: str) -> Row:
    if row is None:
        raise errors.not_found("hold", f"no hold {hold_id}", hold_id=hold_id)
    return row
