"""The answers card-processing gives the card network (API.md section 2)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

APPROVED = "00"
NO_SUCH_CARD = "14"
DUPLICATE = "94"
ISSUER_UNAVAILABLE = "91"
UNKNOWN_ORIGINAL = "25"
INVALID_TRANSACTION = "12"


@dataclass(frozen=True)
class Decline:
    code: str
    reason: str


INSUFFICIENT_FUNDS = Decline("51", "INSUFFICIENT_FUNDS")
CARD_INACTIVE = Decline("62", "CARD_INACTIVE")
CARD_BLOCKED = Decline("05", "CARD_BLOCKED")
CARD_EXPIRED = Decline("54", "OTHER")
DO_NOT_HONOUR = Decline("05", "OTHER")
STAND_IN = Decline(ISSUER_UNAVAILABLE, "OTHER")

BY_USABILITY = {"INACTIVE": CARD_INACTIVE, "BLOCKED": CARD_BLOCKED, "EXPIRED": CARD_EXPIRED}


def approved(auth_id: str, transaction_id: str) -> dict[str, Any]:
    return {
        "approved": True,
        "response_code": APPROVED,
        "authorisation_code": authorisation_code(auth_id),
        "transaction_id": transaction_id,
    }


def declined(decline: Decline, transaction_id: str) -> dict[str, Any]:
    return {
        "approved": False,
        "response_code": decline.code,
        "decline_reason": decline.reason,
        "transaction_id": transaction_id,
    }


def refused(code: str) -> dict[str, Any]:
    """A refusal with no transaction behind it (no such card, duplicate)."""
    return {"approved": False, "response_code": code}


def adjustment(code: str, transaction_id: str = "") -> dict[str, Any]:
    answer: dict[str, Any] = {"accepted": code == APPROVED, "response_code": code}
    if transaction_id:
        answer["transaction_id"] = transaction_id
    return answer


def authorisation_code(auth_id: str) -> str:
    """Six characters the cardholder's receipt shows; stable for retries of one authorisation."""
    digest = hashlib.sha256(auth_id.encode()).digest()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:6])
