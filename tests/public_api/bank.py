"""The public API with every service behind it running in this process (in-memory storage),
so a test sees the real shapes, errors and ownership checks without starting processes."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from api import main as api
from auth import main as auth
from balance import main as balance
from card_processing import main as card_processing
from cards import main as cards
from feed import main as feed
from merchant import main as merchant
from smartbank import context, timeutil
from smartbank.app import BuiltApp
from smartbank.local.cli.seed import _seed
from smartbank.testing import AppRpc, running_together
from transactions import main as transactions
from webhook import main as webhook

SERVICES = (api, auth, balance, cards, card_processing, transactions, merchant, feed, webhook)
_stans = itertools.count(100000)


@dataclass
class Customer:
    user_id: str
    account_id: str
    card_id: str
    card_token: str
    access_token: str
    http: httpx.AsyncClient

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params)


@dataclass
class Bank:
    apps: dict[str, BuiltApp]
    clients: list[httpx.AsyncClient]

    @property
    def rpc(self) -> AppRpc:
        rpc = self.apps["api"].runtime.rpc
        assert isinstance(rpc, AppRpc)
        return rpc

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        transport = httpx.ASGITransport(app=self.apps["api"].asgi)
        http = httpx.AsyncClient(transport=transport, base_url="http://api", headers=headers)
        self.clients.append(http)
        return http

    async def customer(self, name: str = "Ada", balance: int = 10_000) -> Customer:
        with context.bound(context.fresh(10.0)):
            made = await _seed(self.rpc, name, balance, "GBP")
        return Customer(**made, http=self.client(made["access_token"]))

    async def swipe(
        self,
        card_token: str,
        amount: int,
        descriptor: str = "PRET A MANGER 0423",
        mcc: str = "5812",
    ) -> dict[str, Any]:
        """An authorisation, then the enrichment the pipeline would do, done here in line."""
        message = {
            "card_token": card_token,
            "amount": amount,
            "currency": "GBP",
            "merchant": {"descriptor": descriptor, "mcc": mcc, "city": "London", "country": "GBR"},
            "stan": str(next(_stans)),
            "rrn": f"rrn{next(_stans)}",
            "transmitted_at": timeutil.now_text(),
        }
        with context.bound(context.fresh(10.0)):
            answer = await self.rpc.call("card-processing", "POST", "/authorisations", json=message)
            found = await self.rpc.call(
                "merchant", "POST", "/merchants/resolve", json=message["merchant"]
            )
            enrichment = {
                "merchant": found["merchant"]["id"],
                "category": found["merchant"]["category"],
            }
            await self.rpc.call(
                "transactions",
                "POST",
                f"/transactions/{answer['transaction_id']}/enrichment",
                json=enrichment,
            )
        return dict(answer)


@asynccontextmanager
async def open_bank() -> AsyncIterator[Bank]:
    async with running_together(*(module.service for module in SERVICES)) as apps:
        bank = Bank(apps, [])
        try:
            yield bank
        finally:
            for http in bank.clients:
                await http.aclose()
