from __future__ import annotations

from smartbank.events import Event
from smartbank.events.outbox import Outbox
from smartbank.events.types import payload_class
from smartbank.schemas.v1 import events_pb2
from smartbank.storage import Row
from transactions.tables import TRANSACTIONS

OUTBOX = Outbox(TRANSACTIONS)

BY_STATUS = {"settled": "transaction.settled", "reversed": "transaction.reversed"}


def transaction_message(row: Row) -> events_pb2.Transaction:
    return events_pb2.Transaction(
        id=row["id"],
        account_id=row["account_id"],
        amount=row["amount"],
        currency=row["currency"],
        created=row["created"],
        description=row["description"],
        merchant_id=row["merchant"] or "",
        metadata=row["metadata"] or {},
        notes=row["notes"] or "",
        is_load=bool(row["is_load"]),
        settled=row["settled"] or "",
        category=row["category"] or "general",
        decline_reason=row["decline_reason"] or "",
        status=row["status"],
        mcc=row["mcc"] or "",
        merchant_descriptor=row["merchant_descriptor"] or "",
        card_id=row["card_id"] or "",
        amount_authorised=row["amount_authorised"],
        version=row["version"],
        user_id=row.get("user_id") or "",
    )


def event_for(event_type: str, row: Row) -> Event:
    payload = payload_class(event_type)()
    # Every transaction.* payload is the one field `transaction`; the table types them as Message.
    getattr(payload, "transaction").CopyFrom(transaction_message(row))  # noqa: B009
    return Event.capture(event_type, row["account_id"], payload)


def change_event(before: Row, after: Row) -> Event | None:
    """The event a change of status or amount announces; a partial reversal is a reversal too.
    Other changes (the merchant written back by enrichment) announce nothing."""
    if (before["status"], before["amount"]) == (after["status"], after["amount"]):
        return None
    if after["status"] == "declined":
        return event_for("transaction.declined", after)
    if after["status"] in BY_STATUS:
        return event_for(BY_STATUS[after["status"]], after)
    if after["amount"] != before["amount"]:
        return event_for("transaction.reversed", after)
    return None
