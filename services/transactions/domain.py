from __future__ import annotations

from smartbank import errors, timeutil
from smartbank.contracts.transactions import NewTransaction, Transaction
from smartbank.money import is_currency
from smartbank.params import time_text
from smartbank.storage import Row, TableStore
from smartbank.vocabulary import CATEGORIES, DECLINE_REASONS
from transactions.events import OUTBOX, event_for
from transactions.tables import TRANSACTIONS, TRANSACTIONS_BY_ACCOUNT

AUTHORISED, DECLINED, SETTLED, REVERSED = "authorised", "declined", "settled", "reversed"
STATUSES_AT_CREATION = (AUTHORISED, DECLINED, SETTLED)
IDENTITY = ("account_id", "amount_authorised", "currency", "initial_status")


async def create_transaction(store: TableStore, new: NewTransaction) -> Transaction:
    row = candidate = new_row(new)
    created = event_for("transaction.created", candidate)
    await OUTBOX.announce(store, candidate["id"], [created])
    candidate["outbox"] = OUTBOX.holding(None, [created])
    result = await store.insert(TRANSACTIONS, candidate, if_not_exists=True)
    await OUTBOX.withdraw(store, result, [created])
    if not result.applied and result.current is None:  # timed out, not visible yet
        raise errors.outcome_unknown(f"recording {candidate['id']}")
    if not result.applied and result.current is not None:
        row = result.current
        _check_same(row, candidate)
    await store.insert(
        TRANSACTIONS_BY_ACCOUNT,
        {"account_id": row["account_id"], "created": row["created"], "id": row["id"]},
    )
    return transaction_json(row)


async def get_transaction(store: TableStore, tx_id: str) -> Transaction:
    return transaction_json(await load(store, tx_id))


async def load(store: TableStore, tx_id: str) -> Row:
    row = await store.get(TRANSACTIONS, {"id": tx_id})
    if row is None:
        raise errors.not_found("transaction", f"no transaction {tx_id}", transaction_id=tx_id)
    return row


def new_row(new: NewTransaction) -> Row:
    _check_new(new)
    return {
        **new.model_dump(),
        "amount_authorised": new.amount,
        "created": time_text(new.created, "created") if new.created else timeutil.now_text(),
        "merchant": None,
        "metadata": {},
        "notes": "",
        "settled": _settled_text(new),
        "category": new.category or ("mondo" if new.is_load else "general"),
        "decline_reason": new.decline_reason or None,
        "initial_status": new.status,
        "version": 1,
    }


def transaction_json(row: Row) -> Transaction:
    return Transaction(
        id=row["id"],
        account_id=row["account_id"],
        amount=row["amount"],
        currency=row["currency"],
        created=row["created"],
        description=row["description"],
        merchant=row["merchant"],
        metadata=row["metadata"] or {},
        notes=row["notes"] or "",
        is_load=bool(row["is_load"]),
        settled=row["settled"] or "",
        category=row["category"] or "general",
        decline_reason=row["decline_reason"] if row["status"] == DECLINED else None,
        status=row["status"],
        amount_authorised=row.get("amount_authorised"),
        mcc=row.get("mcc"),
        merchant_descriptor=row.get("merchant_descriptor"),
        card_id=row.get("card_id"),
        user_id=row.get("user_id"),
        version=row.get("version"),
    )


def _check_new(new: NewTransaction) -> None:
    if not new.id.startswith("tx_") or new.id == "tx_":
        raise errors.bad_request("invalid_id", "a transaction id starts with tx_", id=new.id)
    if not is_currency(new.currency):
        raise errors.bad_request("invalid_currency", "unknown currency", currency=new.currency)
    if new.status not in STATUSES_AT_CREATION:
        raise errors.bad_request(
            "invalid_status", f"status must be one of {', '.join(STATUSES_AT_CREATION)}"
        )
    if not _reason_fits(new):
        raise errors.bad_request(
            "invalid_decline_reason",
            f"declined transactions, and only those, need one of {', '.join(DECLINE_REASONS)}",
            decline_reason=new.decline_reason,
        )
    if new.category is not None and new.category not in CATEGORIES:
        raise errors.bad_request("invalid_category", "unknown category", category=new.category)
    if new.settled and new.status != SETTLED:
        raise errors.bad_request("invalid_settled", "only a settled transaction has a settled time")


def _reason_fits(new: NewTransaction) -> bool:
    if new.status == DECLINED:
        return new.decline_reason in DECLINE_REASONS
    return not new.decline_reason


def _settled_text(new: NewTransaction) -> str:
    if new.settled:
        return time_text(new.settled, "settled")
    return timeutil.now_text() if new.status == SETTLED else ""


def _check_same(existing: Row, replay: Row) -> None:
    differing = [name for name in IDENTITY if existing[name] != replay[name]]
    if differing:
        raise errors.conflict(
            "transaction_mismatch",
            f"transaction {existing['id']} exists with other content",
            transaction_id=existing["id"],
            fields=differing,
        )
