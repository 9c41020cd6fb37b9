"""The card network's messages the property test sends (API.md section 2), built from a slot:
one account's card and a small number naming the network's identifiers (stan, rrn, time), so
that messages naturally collide and retries, duplicates and reversals meet their originals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STRANGER = -1
STRANGER_TOKEN = "ctok_nobody-has-this-card"


@dataclass(frozen=True)
class Slot:
    """One authorisation's identifiers: `account` indexes the customers (STRANGER: no card)."""

    account: int
    number: int


@dataclass(frozen=True)
class Sent:
    """What an authorisation says besides its identifiers (its fingerprint)."""

    amount: int
    currency: str
    mcc: str


def identifiers(slot: Slot, utc_offset: bool = False) -> dict[str, str]:
    """The same moment written two ways: the network's retry need not spell it alike."""
    moment = f"2026-11-22T10:00:{slot.number:02d}" + ("+00:00" if utc_offset else "Z")
    stan = f"{slot.account + 1}{slot.number:05d}"
    return {"stan": stan, "rrn": f"631512{stan}", "transmitted_at": moment}


def authorisation(token: str, slot: Slot, sent: Sent, utc_offset: bool = False) -> dict[str, Any]:
    merchant = {"descriptor": f"MERCHANT {sent.mcc or 'NONE'} LONDON", "mcc": sent.mcc}
    return {
        "card_token": token,
        "amount": sent.amount,
        "currency": sent.currency,
        "merchant": {**merchant, "city": "London", "country": "GBR"},
        **identifiers(slot, utc_offset),
    }


def adjustment(token: str, slot: Slot, amount: int | None, currency: str | None) -> dict[str, Any]:
    """A reversal or a presentment of the authorisation in `slot`."""
    message: dict[str, Any] = {"card_token": token, "original": identifiers(slot)}
    if amount is not None:
        message["amount"] = amount
    if currency is not None:
        message["currency"] = currency
    return message
