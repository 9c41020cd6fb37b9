"""The card path running in this process: card-api in front, card-processing behind it, and
cards, balance and transactions beside them, each with its own in-memory store and calling the
others through `AppRpc` (the whole onion of each), every hop taking its turn (turns.py). The
property test drives it through the network routes, changes cards and pots through the
services' internal routes, and reads the stores to check what the answers promised."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from balance import main as balance
from balance.tables import LEDGER
from card_api import main as card_api
from card_processing import main as card_processing
from card_processing.messages import Original, auth_key
from card_processing.tables import authorisations
from cards import main as cards
from smartbank import context, ids
from smartbank.app import BuiltApp
from smartbank.rpc import route
from smartbank.storage import Row, TableStore
from smartbank.testing import AppRpc, fake_settings, running
from tests.property.turns import TurnTakingRpc, taking_turns
from transactions import main as transactions
from transactions.tables import TRANSACTIONS, TRANSACTIONS_BY_ACCOUNT

# A deadline no in-process call comes near, so a 91 would mean a fault, not a slow machine.
DEADLINE_MS = 60_000
FLOOR_LIMIT = 5000
OVERRIDES: dict[str, dict[str, Any]] = {
    "card-api": {"network_deadline_ms": DEADLINE_MS},
    "card-processing": {"offline_floor_limit": FLOOR_LIMIT},
}
SERVICES = (card_api, card_processing, cards, balance, transactions)


@dataclass(frozen=True)
class Customer:
    account_id: str
    card_id: str
    card_token: str


@dataclass
class Bank:
    apps: dict[str, BuiltApp]
    rpc: AppRpc
    network: httpx.AsyncClient

    async def send(self, kind: str, message: dict[str, Any]) -> dict[str, Any]:
        """One message from the card network to card-api: authorisations, reversals or
        presentments. Every answer is a 200 with a response code."""
        response = await self.network.post(f"/network/v1/{kind}", json=message)
        assert response.status_code == 200, (kind, response.status_code, response.text)
        answer: dict[str, Any] = response.json()
        return answer

    async def call(self, service: str, method: str, path: str, body: Any = None) -> Any:
        with context.bound(context.fresh(10.0)):
            return await self.rpc.call(service, method, path, json=body)

    async def open_customer(self, name: str) -> Customer:
        user_id = ids.new_id("user")
        account = await self.call(
            "balance", "POST", "/accounts", {"user_id": user_id, "currency": "GBP"}
        )
        card = {"account_id": account["id"], "user_id": user_id, "name": name}
        made = await self.call("cards", "POST", "/cards", card)
        return Customer(account["id"], made["id"], made["processor_token"])

    async def top_up(self, account_id: str, amount: int) -> str:
        """Money in, as `smartbank seed` does it: a posting, and a settled load transaction."""
        top_up_id = ids.new_id("tx")
        posting = {"posting_id": top_up_id, "amount": amount, "currency": "GBP"}
        await self.call("balance", "POST", route("/accounts/{}/postings", account_id), posting)
        load = {"id": top_up_id, "account_id": account_id, "amount": amount, "currency": "GBP"}
        load |= {"description": "Top up", "status": "settled", "is_load": True}
        await self.call("transactions", "POST", "/transactions", load)
        return top_up_id

    def store(self, service: str) -> TableStore:
        return self.apps[service].runtime.store

    async def record(self, card_token: str, original: dict[str, str]) -> Row | None:
        key = auth_key(card_token, Original(**original))
        return await self.store("card-processing").get(authorisations, {"auth_key": key})

    async def ledger_rows(self, account_id: str) -> list[Row]:
        return await self.store("balance").query(LEDGER, {"account_id": account_id})

    async def transaction(self, tx_id: str) -> Row | None:
        return await self.store("transactions").get(TRANSACTIONS, {"id": tx_id})

    async def transaction_ids(self, account_id: str) -> set[str]:
        rows = await self.store("transactions").query(
            TRANSACTIONS_BY_ACCOUNT, {"account_id": account_id}
        )
        return {row["id"] for row in rows}


@asynccontextmanager
async def open_bank() -> AsyncIterator[Bank]:
    mesh = TurnTakingRpc(caller="card-network")
    async with AsyncExitStack() as stack:
        for service in (module.service for module in SERVICES):
            settings = fake_settings(service, **OVERRIDES.get(service.name, {}))
            built = await stack.enter_async_context(running(service, rpc=mesh, settings=settings))
            built.runtime.store = taking_turns(built.runtime.store)
            mesh.apps[service.name] = built
        transport = httpx.ASGITransport(app=mesh.apps["card-api"].asgi)
        network = httpx.AsyncClient(transport=transport, base_url="http://card-api")
        await stack.enter_async_context(network)
        yield Bank(mesh.apps, mesh, network)
