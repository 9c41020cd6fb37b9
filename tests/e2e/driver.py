"""Drive the running local stack the way the card network and the CLI do."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx

from smartbank import timeutil
from smartbank.local.cli.seed import seed
from smartbank.registry import CARD_NETWORK_PORT, MESH_PORT

NETWORK = f"http://127.0.0.1:{CARD_NETWORK_PORT}/network/v1"
MESH = f"http://127.0.0.1:{MESH_PORT}"

_stans = itertools.count(int(time.time() * 10) % 900_000)


def authorisation(card_token: str, amount: int, **extra: Any) -> dict[str, Any]:
    stan = f"{next(_stans) % 1_000_000:06d}"
    message: dict[str, Any] = {
        "card_token": card_token,
        "amount": amount,
        "currency": "GBP",
        "merchant": {
            "descriptor": "STARBUCKS 1234 LONDON GBR",
            "mcc": "5814",
            "city": "London",
            "country": "GB",
        },
        "stan": stan,
        "rrn": "631512" + stan,
        "transmitted_at": timeutil.now_text(),
    }
    message.update(extra)
    return message


def original_of(message: dict[str, Any]) -> dict[str, str]:
    return {k: message[k] for k in ("stan", "rrn", "transmitted_at")}


NETWORK_SLACK_S = 5.0


class Bank:
    """The stack seen from the card network, and from the inside through the mesh."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def customer(self, balance: int, *, device: bool = False) -> dict[str, str]:
        return await seed("E2E Customer", balance, device=device)

    async def send(self, kind: str, message: Any, **kwargs: Any) -> httpx.Response:
        return await self.http.post(f"{NETWORK}/{kind}", json=message, **kwargs)

    async def network(
        self, kind: str, message: Any, deadline_ms: int | None = None
    ) -> dict[str, Any]:
        headers, wait = {}, {}
        if deadline_ms:  # the network waits as long as it allows, and the edge answers by then
            headers = {"X-Network-Deadline-Ms": str(deadline_ms)}
            wait = {"timeout": deadline_ms / 1000 + NETWORK_SLACK_S}
        response = await self.send(kind, message, headers=headers, **wait)
        assert response.status_code == 200, response.text
        assert len(response.headers["x-trace-id"]) == 32
        answer: dict[str, Any] = response.json()
        return answer

    async def inside(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"host": service}
        response = await self.http.request(method, f"{MESH}{path}", headers=headers, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    async def balance(self, account_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await self.inside(
            "balance", "GET", f"/accounts/{account_id}/balance"
        )
        return found

    async def transactions(self, account_id: str) -> list[dict[str, Any]]:
        params = {"account_id": account_id, "limit": 100}
        found = await self.inside("transactions", "GET", "/transactions", params=params)
        return list(found["transactions"])

    async def transaction(self, tx_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await self.inside("transactions", "GET", f"/transactions/{tx_id}")
        return found

    async def set_card_status(self, card_id: str, status: str) -> None:
        await self.inside("cards", "PUT", f"/cards/{card_id}/status", json={"status": status})
