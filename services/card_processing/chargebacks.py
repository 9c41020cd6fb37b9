"""Chargeback claims: what clearing presented above what the customer may be charged.

A claim's id is derived from the authorisation it clears, so a retried presentment writes the
same claim again instead of a second one. It is written to both of its tables on every try
(each write is idempotent), so a crash between them heals on the network's retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from card_processing.clearing import Charge
from card_processing.tables import chargebacks_by_account, chargebacks_by_month
from smartbank import ids, timeutil
from smartbank.storage import Row, TableStore

MONTHS_LISTED = 13


@dataclass(frozen=True)
class Claim:
    """Where a charge came from: the authorisation (or offline presentment) it clears."""

    key: str
    account_id: str
    transaction_id: str
    card_id: str
    currency: str
    authorised: int


@dataclass
class Chargebacks:
    store: TableStore

    async def claim(self, claim: Claim, charge: Charge, created: str) -> None:
        if charge.claimed <= 0:
            return
        row = {
            "claim_id": ids.derived_id("cb", claim.key),
            "month": created[:7],
            "account_id": claim.account_id,
            "transaction_id": claim.transaction_id,
            "card_id": claim.card_id,
            "reason": charge.reason,
            "currency": claim.currency,
            "presented": charge.presented,
            "authorised": claim.authorised,
            "charged": charge.charged,
            "claimed": charge.claimed,
            "created": created,
        }
        for table in (chargebacks_by_account, chargebacks_by_month):
            await self.store.insert(table, row, if_not_exists=True)

    async def listed(self, account_id: str | None) -> list[dict[str, Any]]:
        if account_id is not None:
            rows = await self.store.query(chargebacks_by_account, {"account_id": account_id})
        else:
            rows = []
            for month in recent_months(MONTHS_LISTED):
                rows += await self.store.query(chargebacks_by_month, {"month": month})
        return [public(row) for row in sorted(rows, key=lambda r: (r["created"], r["claim_id"]))]


def recent_months(count: int) -> list[str]:
    """This month and the `count - 1` before it, as YYYY-MM."""
    now = timeutil.now()
    index = now.year * 12 + now.month - 1
    return [f"{(index - back) // 12:04d}-{(index - back) % 12 + 1:02d}" for back in range(count)]


def public(row: Row) -> dict[str, Any]:
    return {name: row[name] for name in row if name != "month"}
