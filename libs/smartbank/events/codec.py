"""Transactions between their event form (protobuf) and their API form (API.md's JSON).

Consumers hand their domain code the API form, the one every other part of smartbank speaks;
empty protobuf strings become the API's nulls and defaults.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.json_format import MessageToDict, ParseDict

from smartbank.schemas.v1.events_pb2 import FeedItem, Merchant, Transaction

OPTIONAL_TEXT = ("mcc", "merchant_descriptor", "card_id", "user_id")


def transaction_to_dict(message: Transaction) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": message.id,
        "account_id": message.account_id,
        "amount": message.amount,
        "currency": message.currency,
        "created": message.created,
        "description": message.description,
        "merchant": _merchant(message),
        "metadata": dict(message.metadata),
        "notes": message.notes,
        "is_load": message.is_load,
        "settled": message.settled,
        "category": message.category or "general",
        "status": message.status,
        "amount_authorised": message.amount_authorised,
        "version": message.version,
    }
    if message.decline_reason:
        body["decline_reason"] = message.decline_reason
    for name in OPTIONAL_TEXT:
        body[name] = getattr(message, name) or None
    return body


def _merchant(message: Transaction) -> dict[str, Any] | str | None:
    """The expanded merchant when the event carries it, else its id (or None)."""
    if not message.HasField("merchant"):
        return message.merchant_id or None
    return MessageToDict(
        message.merchant,
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
    )


def transaction_from_dict(body: dict[str, Any]) -> Transaction:
    merchant = body.get("merchant")
    merchant_id = merchant.get("id", "") if isinstance(merchant, dict) else merchant or ""
    expanded = ParseDict(merchant, Merchant()) if isinstance(merchant, dict) else None
    return Transaction(
        merchant=expanded,
        id=body["id"],
        account_id=body["account_id"],
        amount=body["amount"],
        currency=body["currency"],
        created=body.get("created") or "",
        description=body.get("description") or "",
        merchant_id=merchant_id,
        metadata=body.get("metadata") or {},
        notes=body.get("notes") or "",
        is_load=bool(body.get("is_load")),
        settled=body.get("settled") or "",
        category=body.get("category") or "general",
        decline_reason=body.get("decline_reason") or "",
        status=body.get("status") or "",
        amount_authorised=body.get("amount_authorised") or 0,
        version=body.get("version") or 0,
        **{name: body.get(name) or "" for name in OPTIONAL_TEXT},
    )


FEED_ITEM_FIELDS = tuple(FeedItem.DESCRIPTOR.fields_by_name)


def feed_item_to_dict(message: FeedItem) -> dict[str, Any]:
    return {name: getattr(message, name) for name in FEED_ITEM_FIELDS}


def feed_item_from_dict(body: dict[str, Any]) -> FeedItem:
    return FeedItem(**{name: str(body.get(name) or "") for name in FEED_ITEM_FIELDS})
