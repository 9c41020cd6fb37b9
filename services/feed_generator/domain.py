from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard

from feed_generator.amounts import format_money, format_signed
from smartbank import errors, ids

ENRICHED, SETTLED = "transaction.enriched", "transaction.settled"
REVERSED, DECLINED = "transaction.reversed", "transaction.declined"
DECLINE_TEXT = {
    "INSUFFICIENT_FUNDS": "Declined: insufficient funds",
    "CARD_INACTIVE": "Declined: card frozen",
    "CARD_BLOCKED": "Declined: card blocked",
    "INVALID_CVC": "Declined: incorrect CVC",
}
DECLINED_TEXT = "Declined"
FALLBACK_TITLE = "Transaction"
TITLE_MAX, EMOJI_MAX = 200, 32
CREATED_FROM = {ENRICHED: "created", DECLINED: "created", SETTLED: "settled"}
Transaction = dict[str, Any]


def build_item(event_type: str, transaction: Transaction) -> dict[str, Any] | None:
    kind = _kind(event_type, transaction)
    if kind is None:
        return None
    _check(transaction)
    body = BODIES[kind](transaction)
    return _item(kind, transaction, body) if body else None


def spent_body(transaction: Transaction) -> str:
    return format_signed(transaction["amount"], transaction["currency"])


def settled_body(transaction: Transaction) -> str | None:
    authorised = _authorised(transaction)
    if authorised is None or authorised == transaction["amount"]:
        return None
    return f"Final amount {spent_body(transaction)}"


def reversed_body(transaction: Transaction) -> str:
    authorised, left = _authorised(transaction), transaction["amount"]
    if authorised is None:
        authorised, left = left, 0
    returned = abs(authorised) - abs(left)
    verb = "Reversed" if authorised > 0 or transaction.get("is_load") else "Refunded"
    return f"{verb} {format_money(returned, transaction['currency'])}" if returned > 0 else verb


def declined_body(transaction: Transaction) -> str:
    return DECLINE_TEXT.get(transaction.get("decline_reason") or "", DECLINED_TEXT)


BODIES: dict[str, Callable[[Transaction], str | None]] = {
    ENRICHED: spent_body,
    SETTLED: settled_body,
    REVERSED: reversed_body,
    DECLINED: declined_body,
}


def _kind(event_type: str, transaction: Transaction) -> str | None:
    if event_type == ENRICHED and transaction.get("decline_reason"):
        return DECLINED
    return event_type if event_type in BODIES else None


def _item(kind: str, transaction: Transaction, body: str) -> dict[str, Any]:
    merchant = transaction.get("merchant")
    merchant = merchant if isinstance(merchant, dict) else {}
    title = (merchant.get("name") or transaction.get("description") or "").strip()
    logo = merchant.get("logo") or ""
    item = {
        "id": ids.derived_id("feeditem", transaction["id"], kind),
        "account_id": transaction["account_id"],
        "user_id": transaction.get("user_id") or None,
        "type": "transaction",
        "title": title[:TITLE_MAX] or FALLBACK_TITLE,
        "body": body,
        "image_url": logo if logo.startswith(("https://", "http://")) else "",
        "emoji": (merchant.get("emoji") or "")[:EMOJI_MAX],
        "url": "",
        "transaction_id": transaction["id"],
    }
    created = transaction.get(CREATED_FROM[kind]) if kind in CREATED_FROM else None
    return item | {"created": created} if created else item


def _check(transaction: Transaction) -> None:
    checks = {
        "id": str(transaction.get("id") or "").startswith("tx_"),
        "account_id": bool(transaction.get("account_id")),
        "amount": _is_int(transaction.get("amount")),
        "currency": isinstance(transaction.get("currency"), str),
    }
    for field, ok in checks.items():
        if not ok:
            raise errors.bad_request(
                "invalid_transaction", f"the transaction has no valid {field}", field=field
            )


def _authorised(transaction: Transaction) -> int | None:
    authorised = transaction.get("amount_authorised")
    return authorised if _is_int(authorised) and authorised != 0 else None


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
