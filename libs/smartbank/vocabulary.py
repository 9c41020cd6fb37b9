"""The public API's fixed vocabularies (API.md section 1), one definition for every service
that records or shows a transaction: its category and, on a decline, its reason."""

from __future__ import annotations

from typing import Literal, get_args

Category = Literal[
    "general",
    "eating_out",
    "expenses",
    "transport",
    "cash",
    "bills",
    "entertainment",
    "shopping",
    "holidays",
    "groceries",
    "mondo",
]
DeclineReason = Literal[
    "INSUFFICIENT_FUNDS", "CARD_INACTIVE", "CARD_BLOCKED", "INVALID_CVC", "OTHER"
]

CATEGORIES: tuple[str, ...] = get_args(Category)
DECLINE_REASONS: tuple[str, ...] = get_args(DeclineReason)
