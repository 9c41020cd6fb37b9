"""Presentments (clearing): charge the customer what the clearing rules allow, and claim the rest.

The plan (what is presented, what is charged, against which hold or as an offline posting) is
written to the authorisation record first, then carried out by steps that are each idempotent
on the other side. A retried presentment finds the plan and carries it out again, so a crash
between the steps heals on the network's retry, and a retry with other content is a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from card_processing import answers, clearing
from card_processing.chargebacks import Chargebacks, Claim
from card_processing.clearing import Charge
from card_processing.messages import Adjustment, auth_key
from card_processing.peers import Peers
from card_processing.records import Records
from smartbank import errors, ids, timeutil
from smartbank.contracts.transactions import NewTransaction, Settlement
from smartbank.storage import Row

ATTEMPTS = 20
CAPTURE, OFFLINE = "capture", "offline"


@dataclass(frozen=True)
class Answered:
    """A presentment answered before any plan was made (it can never apply)."""

    answer: dict[str, Any]


@dataclass
class Presenter:
    records: Records
    peers: Peers
    chargebacks: Chargebacks
    floor_limit: int

    async def present(self, msg: Adjustment) -> dict[str, Any]:
        key = auth_key(msg.card_token, msg.original)
        for _ in range(ATTEMPTS):
            row = await self.records.get(key)
            if row is not None and row.get("clearing"):
                return await self._repeat(row, msg)
            if row is not None and row["state"] == "pending":
                raise errors.unavailable("issuer", "the authorisation is still being decided")
            if row is not None and row["state"] == "approved":
                planned = await self._plan_capture(row, msg)
            else:
                planned = await self._plan_offline(key, row, msg)
            if isinstance(planned, Answered):
                return planned.answer
            if planned is not None:
                return await self.carry_out(planned)
        raise errors.conflict("contention", "the authorisation kept changing; try again")

    async def _repeat(self, row: Row, msg: Adjustment) -> dict[str, Any]:
        plan = row["clearing"]
        if (msg.currency or plan["currency"]) != plan["currency"]:
            return answers.adjustment(answers.INVALID_TRANSACTION)
        if msg.amount is not None and msg.amount != plan["presented"]:
            return answers.adjustment(answers.DUPLICATE)
        return await self.carry_out(row)

    async def _plan_capture(self, row: Row, msg: Adjustment) -> Row | Answered | None:
        if (msg.currency or row["currency"]) != row["currency"]:
            return Answered(answers.adjustment(answers.INVALID_TRANSACTION))
        authorised = row["outstanding"]
        charge = clearing.against_authorisation(
            msg.amount or authorised, authorised, row.get("mcc") or ""
        )
        plan = _plan(CAPTURE, charge, row["currency"], authorised, row["transaction_id"])
        return await self.records.change(row, state="captured", clearing=plan)

    async def _plan_offline(
        self, key: str, row: Row | None, msg: Adjustment
    ) -> Row | Answered | None:
        if msg.amount is None or msg.currency is None:
            raise errors.bad_request(
                "missing_amount", "an offline presentment needs amount and currency"
            )
        card = await self.peers.card_by_token(msg.card_token)
        if card is None:
            return Answered(answers.adjustment(answers.NO_SUCH_CARD))
        if await self.peers.account_currency(card.account_id) != msg.currency:
            return Answered(answers.adjustment(answers.INVALID_TRANSACTION))
        charge = clearing.offline(msg.amount, self.floor_limit)
        plan = _plan(OFFLINE, charge, msg.currency, 0, ids.derived_id("tx", "offline", key))
        located = {"account_id": card.account_id, "card_id": card.id}
        if row is not None:
            return await self.records.change(row, clearing={**plan, **located})
        created, fresh = await self.records.create(_offline_record(key, msg, {**plan, **located}))
        return fresh if created else None

    async def carry_out(self, row: Row) -> dict[str, Any]:
        """Every step of the record's plan; each is idempotent, so this may run any number of
        times (a retried presentment, the expiry sweep finding a capture left half done)."""
        plan = row["clearing"]
        account = plan.get("account_id") or row["account_id"]
        charge = Charge(plan["presented"], plan["charged"], plan["reason"])
        if plan["kind"] == CAPTURE:
            tolerance = max(0, charge.charged - plan["authorised"])
            await self.peers.capture(
                account, row["hold_id"], charge.charged, plan["currency"], tolerance
            )
            await self.peers.transition(
                plan["transaction_id"], "settle", Settlement(amount=charge.charged)
            )
        elif charge.charged:
            await self._post(row, account, charge)
        tx_id = plan["transaction_id"] if charge.charged else ""
        await self.chargebacks.claim(_claim(row, account, tx_id), charge, plan["planned_at"])
        if plan["kind"] == CAPTURE:
            await self.records.unindex_expiry(row)
        return answers.adjustment(answers.APPROVED, tx_id)

    async def _post(self, row: Row, account: str, charge: Charge) -> None:
        plan = row["clearing"]
        await self.peers.post(
            account, plan["transaction_id"], -charge.charged, plan["currency"], "card presentment"
        )
        await self.peers.record(
            NewTransaction(
                id=plan["transaction_id"],
                account_id=account,
                amount=-charge.charged,
                currency=plan["currency"],
                description="Card payment",
                status="settled",
                created=plan["planned_at"],
                settled=plan["planned_at"],
                card_id=plan.get("card_id"),
            )
        )


def _claim(row: Row, account: str, tx_id: str) -> Claim:
    plan = row["clearing"]
    card_id = plan.get("card_id") or row.get("card_id") or ""
    return Claim(row["auth_key"], account, tx_id, card_id, plan["currency"], plan["authorised"])


def _plan(kind: str, charge: Charge, currency: str, authorised: int, tx_id: str) -> Row:
    return {
        "kind": kind,
        "presented": charge.presented,
        "charged": charge.charged,
        "reason": charge.reason,
        "currency": currency,
        "authorised": authorised,
        "transaction_id": tx_id,
        "planned_at": timeutil.now_text(),
    }


def _offline_record(key: str, msg: Adjustment, plan: Row) -> Row:
    """The record of a presentment no authorisation preceded: a later authorisation with the
    same identifiers is a duplicate (its fingerprint matches nothing)."""
    return {
        "auth_key": key,
        "auth_id": ids.derived_id("auth", key),
        "state": "offline",
        "fingerprint": "",
        "response": answers.refused(answers.DUPLICATE),
        "card_token": msg.card_token,
        "account_id": plan["account_id"],
        "card_id": plan["card_id"],
        "transaction_id": plan["transaction_id"],
        "reversal_ids": [],
        "stand_in": False,
        "reversed_early": False,
        "clearing": plan,
        "created": timeutil.now_text(),
    }
