"""Deciding an authorisation: card usable? funds? record it — and undo what a failure left.

Each authorisation has one record keyed by the network's identifiers; only the attempt that
created (or took over) the record decides, every other arrival of the same message waits for
that decision and repeats it. Holds and transactions are keyed by the authorisation too, so a
takeover after a crash re-runs the same steps without doubling anything.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from card_processing import answers
from card_processing.answers import Decline
from card_processing.follow_ups import FollowUps
from card_processing.messages import Authorisation, auth_key
from card_processing.peers import Peers, unavailable
from card_processing.records import DECIDED, Records
from card_processing.settings import Settings
from smartbank import context, errors, ids, timeutil
from smartbank.contracts import transactions as tx
from smartbank.errors import ServiceError
from smartbank.storage import Row

log = logging.getLogger(__name__)

WAIT_STEP = 0.02
CLEAN_UP_BUDGET = 5.0


@dataclass
class Authoriser:
    records: Records
    peers: Peers
    settings: Settings
    follow_ups: FollowUps | None = None

    async def authorise(self, msg: Authorisation) -> dict[str, Any]:
        created, row = await self.records.create(
            self._new_record(auth_key(msg.card_token, msg.original), msg)
        )
        if created:
            return await self._decide(row, msg)
        return await self._join(row, msg)

    def _new_record(self, key: str, msg: Authorisation) -> Row:
        created = timeutil.now()
        attempt = uuid.uuid4().hex
        return {
            "auth_key": key,
            "auth_id": ids.derived_id("auth", key),
            "hold_id": ids.derived_id("hold", key, attempt),
            "state": "pending",
            "fingerprint": msg.fingerprint(),
            "attempt": attempt,
            "lease_until": timeutil.format_time(
                created + timedelta(seconds=self.settings.pending_lease)
            ),
            "card_token": msg.card_token,
            "amount": msg.amount,
            "outstanding": msg.amount,
            "currency": msg.currency,
            "mcc": msg.merchant.mcc,
            "transaction_id": ids.derived_id("tx", key),
            "reversal_ids": [],
            "stand_in": False,
            "reversed_early": False,
            "expires_at": timeutil.format_time(
                created + timedelta(seconds=self.settings.hold_expiry)
            ),
            "created": timeutil.format_time(created),
        }

    async def _join(self, row: Row, msg: Authorisation) -> dict[str, Any]:
        """Another arrival of a known authorisation: repeat its answer, wait, or take over."""
        while context.current().remaining() > WAIT_STEP:
            if row["state"] == "reversed_early":
                claimed = await self._take_over(row, msg)
            elif row["state"] in DECIDED and row["stand_in"]:
                return dict(row["response"])
            elif row["fingerprint"] != msg.fingerprint():
                return answers.refused(answers.DUPLICATE)
            elif row["state"] in DECIDED:
                return dict(row["response"])
            elif row["state"] == "pending" and row["lease_until"] > timeutil.now_text():
                await asyncio.sleep(WAIT_STEP)
                claimed = None
            else:
                claimed = await self._take_over(row, msg)
            if claimed is not None:
                return await self._decide(claimed, msg)
            row = await self.records.must_get(row["auth_key"])
        raise errors.unavailable("issuer", "the authorisation is still being decided")

    async def _take_over(self, row: Row, msg: Authorisation) -> Row | None:
        """Start a new attempt; it gives back the hold the abandoned one may have placed."""
        fresh = self._new_record(row["auth_key"], msg)
        keep = ("auth_key", "auth_id", "transaction_id", "created", "expires_at", "reversed_early")
        changes = {k: v for k, v in fresh.items() if k not in keep}
        return await self.records.change(row, **changes, abandoned_hold=row.get("hold_id"))

    async def _decide(self, row: Row, msg: Authorisation) -> dict[str, Any]:
        card = await self._call("look up the card", self.peers.card_by_token(msg.card_token), row)
        if card is None:
            return await self._finish(row, answers.refused(answers.NO_SUCH_CARD), "declined")
        row = {
            **row,
            "card_id": card.id,
            "account_id": card.account_id,
            "user_id": card.user_id,
        }
        if row.get("abandoned_hold"):
            await self.peers.release(row["account_id"], row["abandoned_hold"], "takeover")
        if row["reversed_early"] or row.get("clearing"):  # reversed, or cleared offline, first
            return await self._decline(row, msg, answers.DO_NOT_HONOUR)
        unusable = answers.BY_USABILITY.get(card.usability)
        if unusable is not None:
            return await self._decline(row, msg, unusable)
        decline = await self._reserve(row, msg)
        if decline is not None:
            return await self._decline(row, msg, decline)
        recorded = await self._record(row, msg, "authorised", None, holding=True)
        if recorded.status == "declined":  # finalised after an earlier failed attempt
            await self._give_back(row, "declined-late")
            declined = answers.declined(answers.DO_NOT_HONOUR, row["transaction_id"])
            return await self._finish(row, declined, "declined")
        answer = answers.approved(row["auth_id"], row["transaction_id"])
        return await self._finish(row, answer, "approved")

    async def _reserve(self, row: Row, msg: Authorisation) -> Decline | None:
        if self.follow_ups is not None:
            await self.follow_ups.before_holding(row)
        await self.records.index_expiry(row)
        try:
            await self.peers.reserve(
                row["account_id"], row["hold_id"], msg.amount, msg.currency, row["expires_at"]
            )
        except ServiceError as exc:
            if exc.matches("bad_request.insufficient_funds"):
                return answers.INSUFFICIENT_FUNDS
            if exc.matches("bad_request.currency_mismatch"):
                return answers.DO_NOT_HONOUR
            await self._fail(row, holding=True)
            raise unavailable("reserve the funds", exc) from exc
        return None

    async def _decline(self, row: Row, msg: Authorisation, decline: Decline) -> dict[str, Any]:
        await self._record(row, msg, "declined", decline.reason, holding=False)
        return await self._finish(row, answers.declined(decline, row["transaction_id"]), "declined")

    async def _record(
        self, row: Row, msg: Authorisation, status: str, reason: str | None, *, holding: bool
    ) -> tx.Transaction:
        transaction = tx.NewTransaction(
            id=row["transaction_id"],
            account_id=row["account_id"],
            amount=-msg.amount,
            currency=msg.currency,
            description=msg.merchant.descriptor,
            status=status,
            decline_reason=reason,
            mcc=msg.merchant.mcc,
            merchant_descriptor=msg.merchant.descriptor,
            card_id=row["card_id"],
            user_id=row.get("user_id"),
            created=row["created"],
        )
        recorded: tx.Transaction = await self._call(
            "record the transaction", self.peers.record(transaction), row, holding, recording=True
        )
        return recorded

    async def _give_back(self, row: Row, release_id: str) -> None:
        with context.bound(context.current().renewed(CLEAN_UP_BUDGET)):
            await self.peers.release(row["account_id"], row["hold_id"], release_id)

    async def _call(
        self, step: str, call: Any, row: Row, holding: bool = False, *, recording: bool = False
    ) -> Any:
        try:
            return await call
        except ServiceError as exc:
            await self._fail(row, holding=holding)
            if recording and self.follow_ups is not None:  # the write may still land
                await self.follow_ups.after_failed_recording(row)
            raise unavailable(step, exc) from exc

    async def _fail(self, row: Row, *, holding: bool) -> None:
        """Compensate: give back any hold, and leave the record for a retry to take over."""
        try:
            with context.bound(context.current().renewed(CLEAN_UP_BUDGET)):
                if holding:
                    await self.peers.release(row["account_id"], row["hold_id"], "compensation")
                await self.records.change(row, state="failed")
        except ServiceError:
            log.warning("compensation failed; the expiry sweep will release the hold")

    async def _finish(self, row: Row, answer: dict[str, Any], state: str) -> dict[str, Any]:
        if answer.get("approved") and context.current().expired():
            return await self._void({**row, "stand_in": True}, answer)
        extra = {k: row.get(k) for k in ("card_id", "account_id")}
        saved = await self.records.change(row, state=state, response=answer, **extra)
        if saved is not None:
            return answer
        current = self._known(await self.records.must_get(row["auth_key"]), row)
        if current["attempt"] != row["attempt"]:
            return await self._superseded(row, answer)
        if current["state"] in DECIDED:
            return dict(current["response"])
        return await self._void(current, answer)

    @staticmethod
    def _known(stored: Row, ours: Row) -> Row:
        """The stored record, plus what this attempt learnt that is not stored until it ends."""
        learnt = {k: ours.get(k) for k in ("card_id", "account_id") if stored.get(k) is None}
        return {**stored, **learnt}

    async def _superseded(self, row: Row, answer: dict[str, Any]) -> dict[str, Any]:
        """A retry took this authorisation over while we were slow: ours must leave no trace."""
        if answer.get("approved"):
            with context.bound(context.current().renewed(CLEAN_UP_BUDGET)):
                await self.peers.release(row["account_id"], row["hold_id"], "superseded")
        raise errors.unavailable("issuer", "the authorisation was taken over by a retry")

    async def _void(self, row: Row, answer: dict[str, Any]) -> dict[str, Any]:
        """The decision came too late, or a reversal or stand-in arrived meanwhile: undo it."""
        with context.bound(context.current().renewed(CLEAN_UP_BUDGET)):
            return await self._undo(row, answer)

    async def _undo(self, row: Row, answer: dict[str, Any]) -> dict[str, Any]:
        if answer.get("approved"):
            await self.peers.release(row["account_id"], row["hold_id"], "void")
            await self.peers.transition(
                row["transaction_id"], "decline", tx.Decline(decline_reason="OTHER")
            )
        decline = answers.STAND_IN if row["stand_in"] else answers.DO_NOT_HONOUR
        voided = (
            answers.declined(decline, row["transaction_id"]) if answer.get("approved") else answer
        )
        saved = await self.records.change(
            row, state="declined", response=voided, outstanding=0, stand_in=row["stand_in"]
        )
        return voided if saved is not None else await self._finish_again(row)

    async def _finish_again(self, row: Row) -> dict[str, Any]:
        current = self._known(await self.records.must_get(row["auth_key"]), row)
        if current["state"] in DECIDED:
            return dict(current["response"])
        return await self._undo(current, {"approved": True})
