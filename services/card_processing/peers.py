"""Calls to the services card-processing orchestrates: cards, balance and transactions.

Every call here is idempotent on the other side (keyed by the authorisation), so each is
marked idempotent and the proxy may retry it on a refused connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smartbank import errors
from smartbank.errors import ServiceError
from smartbank.rpc import Rpc


@dataclass
class Peers:
    rpc: Rpc

    async def card_by_token(self, token: str) -> dict[str, Any] | None:
        try:
            card: dict[str, Any] = await self.rpc.call(
                "cards", "GET", f"/cards/by-token/{token}", idempotent=True
            )
        except ServiceError as exc:
            if exc.matches("not_found"):
                return None
            raise
        return card

    async def reserve(
        self, account: str, hold_id: str, amount: int, currency: str, expires: str
    ) -> None:
        body = {"hold_id": hold_id, "amount": amount, "currency": currency, "expires_at": expires}
        await self.rpc.call(
            "balance", "POST", f"/accounts/{account}/holds", json=body, idempotent=True
        )

    async def release(
        self, account: str, hold_id: str, release_id: str, amount: int | None = None
    ) -> None:
        body: dict[str, Any] = {"release_id": release_id}
        if amount is not None:
            body["amount"] = amount
        try:
            await self.rpc.call(
                "balance",
                "POST",
                f"/accounts/{account}/holds/{hold_id}/release",
                json=body,
                idempotent=True,
            )
        except ServiceError as exc:
            if not exc.matches("not_found.hold"):
                raise

    async def capture(self, account: str, hold_id: str, amount: int, currency: str) -> None:
        await self.rpc.call(
            "balance",
            "POST",
            f"/accounts/{account}/holds/{hold_id}/capture",
            json={"amount": amount, "currency": currency},
            idempotent=True,
        )

    async def post(
        self, account: str, posting_id: str, amount: int, currency: str, text: str
    ) -> None:
        body = {
            "posting_id": posting_id,
            "amount": amount,
            "currency": currency,
            "description": text,
        }
        await self.rpc.call(
            "balance", "POST", f"/accounts/{account}/postings", json=body, idempotent=True
        )

    async def record(self, transaction: dict[str, Any]) -> dict[str, Any]:
        recorded: dict[str, Any] = await self.rpc.call(
            "transactions", "POST", "/transactions", json=transaction, idempotent=True
        )
        return recorded

    async def transaction(self, tx_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await self.rpc.call(
            "transactions", "GET", f"/transactions/{tx_id}", idempotent=True
        )
        return found

    async def transition(self, tx_id: str, action: str, body: dict[str, Any]) -> None:
        """settle / reverse / decline a transaction; a final one that is already so is fine."""
        try:
            await self.rpc.call(
                "transactions",
                "POST",
                f"/transactions/{tx_id}/{action}",
                json=body,
                idempotent=True,
            )
        except ServiceError as exc:
            if not exc.matches("conflict.transaction_final"):
                raise


def unavailable(step: str, cause: ServiceError) -> ServiceError:
    return errors.unavailable("issuer", f"could not {step}: {cause.code}", cause=cause.code)
