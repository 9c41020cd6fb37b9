"""Reversals and presentments: what the network says after an authorisation.

A reversal gives back the hold (all or part) and marks the transaction reversed; one that
arrives before its authorisation is remembered so that authorisation is then declined; one in
another currency than its authorisation's, or of one already cleared, can never apply (12).
Presentments are presentments.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from card_processing import answers
from card_processing.messages import Adjustment, auth_key
from card_processing.peers import Peers
from card_processing.records import Records
from smartbank import errors, ids, timeutil
from smartbank.contracts import transactions as tx
from smartbank.errors import ServiceError
from smartbank.storage import Row

SYNC_ATTEMPTS = 3


@dataclass
class Adjuster:
    records: Records
    peers: Peers

    async def reverse(self, msg: Adjustment, *, stand_in: bool = False) -> dict[str, Any]:
        key = auth_key(msg.card_token, msg.original)
        reversal_id = ids.derived_id("rev", key, str(msg.amount or "all"), str(stand_in))
        for _ in range(20):
            row = await self.records.get(key)
            if row is None:
                if await self._remember(key, msg, stand_in):
                    return answers.adjustment(answers.UNKNOWN_ORIGINAL)
                continue
            outcome = await self._reverse_row(row, msg, reversal_id, stand_in)
            if outcome is not None:
                return outcome
        raise errors.conflict("contention", "the authorisation kept changing; try again")

    async def _remember(self, key: str, msg: Adjustment, stand_in: bool) -> bool:
        """Keep a reversal whose authorisation has not arrived, so it is declined when it does.

        A stand-in is kept as the final answer (91) the network already has for that message.
        """
        early: Row = {
            "auth_key": key,
            "auth_id": ids.derived_id("auth", key),
            "state": "declined" if stand_in else "reversed_early",
            "response": answers.refused(answers.ISSUER_UNAVAILABLE) if stand_in else None,
            "fingerprint": "",
            "card_token": msg.card_token,
            "transaction_id": ids.derived_id("tx", key),
            "reversal_ids": [],
            "reversed_early": not stand_in,
            "stand_in": stand_in,
            "created": timeutil.now_text(),
        }
        created, _ = await self.records.create(early)
        return created

    async def _reverse_row(
        self, row: Row, msg: Adjustment, reversal_id: str, stand_in: bool
    ) -> dict[str, Any] | None:
        state = row["state"]
        if state == "reversed_early":
            return answers.adjustment(answers.UNKNOWN_ORIGINAL)
        if msg.currency is not None and row.get("currency") not in (None, msg.currency):
            return answers.adjustment(answers.INVALID_TRANSACTION)
        if reversal_id in row["reversal_ids"]:
            return await self._release_again(row, reversal_id, stand_in)
        if state in ("pending", "failed"):
            flagged = await self.records.change(
                row,
                stand_in=row["stand_in"] or stand_in,
                reversed_early=row["reversed_early"] or not stand_in,
            )
            return answers.adjustment(answers.APPROVED) if flagged else None
        if state == "captured" or row.get("clearing"):
            return answers.adjustment(answers.INVALID_TRANSACTION)
        if state != "approved":
            return answers.adjustment(answers.APPROVED)
        return await self._release(row, msg, reversal_id, stand_in)

    async def _release(
        self, row: Row, msg: Adjustment, reversal_id: str, stand_in: bool
    ) -> dict[str, Any] | None:
        """Record the reversal first, then release: a presentment racing it sees the record
        changed and plans against what is left, never captures a hold being released."""
        amount = min(msg.amount or row["outstanding"], row["outstanding"])
        outstanding = row["outstanding"] - amount
        state = "approved" if outstanding else ("declined" if stand_in else "reversed")
        changes: dict[str, Any] = {"outstanding": outstanding, "state": state}
        changes["reversal_ids"] = [*row["reversal_ids"], reversal_id]
        changes["released"] = {**(row.get("released") or {}), reversal_id: amount}
        if stand_in:
            changes["response"] = answers.declined(answers.STAND_IN, row["transaction_id"])
        saved = await self.records.change(row, **changes)
        if saved is None:
            return None
        return await self._release_again(saved, reversal_id, stand_in)

    async def _release_again(self, row: Row, reversal_id: str, stand_in: bool) -> dict[str, Any]:
        """Carry out a recorded reversal (again: each step is idempotent), so one cut short by
        a crash or an outage completes on the network's retry."""
        amount = (row.get("released") or {}).get(reversal_id)
        if amount is not None:
            try:
                await self.peers.release(row["account_id"], row["hold_id"], reversal_id, amount)
            except ServiceError as exc:
                if not exc.matches("conflict.already_captured"):  # cleared meanwhile: all taken
                    raise
            await self._sync_transaction(row, stand_in)
        return answers.adjustment(answers.APPROVED)

    async def _sync_transaction(self, row: Row, stand_in: bool) -> None:
        if stand_in:
            await self.peers.transition(
                row["transaction_id"], "decline", tx.Decline(decline_reason="OTHER")
            )
            return
        # Read, and take off what is still too much, guarded by the amount read: a write whose
        # outcome was unknown (outcome_unknown) may land late, and the part is not taken twice.
        for attempt in range(SYNC_ATTEMPTS + 1):
            recorded = await self.peers.transaction(row["transaction_id"])
            excess = -recorded.amount - row["outstanding"]
            if recorded.status != "authorised" or excess <= 0:
                return
            if attempt == SYNC_ATTEMPTS:
                break
            body = tx.Reversal(amount=excess, if_amount=recorded.amount)
            try:
                await self.peers.transition(row["transaction_id"], "reverse", body)
            except ServiceError as exc:
                if not exc.matches(errors.OUTCOME_UNKNOWN):
                    raise
        raise errors.outcome_unknown(f"syncing the amount of {row['transaction_id']}")
