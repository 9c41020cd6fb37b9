"""Calls to the services card-processing orchestrates: cards, balance and transactions.

Every call here is idempotent on the other side (keyed by the authorisation), so each is
marked idempotent and the proxy may retry it on a refused connection. An answer read here
comes back as its contract model; one only waited for (a hold placed, a posting made) is not
parsed at all, since nothing of it is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartbank import errors
from smartbank.contracts import transactions as tx
from smartbank.contracts.balance import Account, Capture, NewHold, NewPosting, Release
from smartbank.contracts.cards import UsableCard
from smartbank.errors import ServiceError
from smartbank.rpc import Rpc, route

Change = tx.Settlement | tx.Reversal | tx.Decline


@dataclass
class Peers:
    rpc: Rpc

    async def card_by_token(self, token: str) -> UsableCard | None:
        try:
            card = await self.rpc.call(
                "cards",
                "GET",
                route("/cards/by-token/{}", token),
                idempotent=True,
                reply=UsableCard,
            )
        except ServiceError as exc:
            if exc.matches("not_found"):
                return None
            raise
        return card

    async def reserve(
        self, account: str, hold_id: str, amount: int, currency: str, expires: str
    ) -> None:
        body = NewHold(hold_id=hold_id, amount=amount, currency=currency, expires_at=expires)
        await self.rpc.call(
            "balance", "POST", route("/accounts/{}/holds", account), json=body, idempotent=True
        )

    async def release(
        self, account: str, hold_id: str, release_id: str, amount: int | None = None
    ) -> None:
        try:
            await self.rpc.call(
                "balance",
                "POST",
                route("/accounts/{}/holds/{}/release", account, hold_id),
                json=Release(release_id=release_id, amount=amount),
                idempotent=True,
            )
        except ServiceError as exc:
            if not exc.matches("not_found.hold"):
                raise

    async def capture(
        self, account: str, hold_id: str, amount: int, currency: str, tolerance: int = 0
    ) -> None:
        """Take the hold for `amount`: at most what it holds plus `tolerance` (balance refuses
        more)."""
        await self.rpc.call(
            "balance",
            "POST",
            route("/accounts/{}/holds/{}/capture", account, hold_id),
            json=Capture(amount=amount, currency=currency, tolerance=tolerance),
            idempotent=True,
        )

    async def account_currency(self, account: str) -> str:
        found = await self.rpc.call(
            "balance", "GET", route("/accounts/{}", account), idempotent=True, reply=Account
        )
        return found.currency

    async def post(
        self, account: str, posting_id: str, amount: int, currency: str, text: str
    ) -> None:
        body = NewPosting(posting_id=posting_id, amount=amount, currency=currency, description=text)
        await self.rpc.call(
            "balance", "POST", route("/accounts/{}/postings", account), json=body, idempotent=True
        )

    async def record(self, transaction: tx.NewTransaction) -> tx.Transaction:
        return await self.rpc.call(
            "transactions",
            "POST",
            "/transactions",
            json=transaction,
            idempotent=True,
            reply=tx.Transaction,
        )

    async def transaction(self, tx_id: str) -> tx.Transaction:
        return await self.rpc.call(
            "transactions",
            "GET",
            route("/transactions/{}", tx_id),
            idempotent=True,
            reply=tx.Transaction,
        )

    async def transition(self, tx_id: str, action: str, body: Change) -> None:
        """settle / reverse / decline a transaction; a final one that is already so is fine."""
        try:
            await self.rpc.call(
                "transactions",
                "POST",
                route("/transactions/{}/{}", tx_id, action),
                json=body,
                idempotent=True,
            )
        except ServiceError as exc:
            if not exc.matches("conflict.transaction_final"):
                raise


def unavailable(step: str, cause: ServiceError) -> ServiceError:
    return errors.unavailable("issuer", f"could not {step}: {cause.code}", cause=cause.code)
