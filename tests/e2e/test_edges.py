"""The edges on the real stack: only the contracts' paths are reachable from outside, and the
card network is answered within its deadline even when card-api itself hangs."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from smartbank.local.launcher.stack import Stack
from smartbank.registry import CARD_NETWORK_PORT, MESH_PORT, PUBLIC_API_PORT
from tests.e2e.driver import Bank, authorisation

pytestmark = pytest.mark.asyncio(loop_scope="session")

PUBLIC = f"http://127.0.0.1:{PUBLIC_API_PORT}"
CARD = f"http://127.0.0.1:{CARD_NETWORK_PORT}"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        *(("GET", f"{PUBLIC}{path}") for path in ("/metrics", "/healthz", "/readyz", "/docs")),
        *(("GET", f"{CARD}{path}") for path in ("/metrics", "/healthz", "/readyz", "/docs")),
        ("GET", f"{CARD}/openapi.json"),
        ("GET", f"{CARD}/network/v1/authorisations"),
        ("POST", f"{CARD}/network/v1/stand-ins"),
    ],
)
async def test_edges_answer_404_off_the_contract(bank: Bank, method: str, url: str):
    response = await bank.http.request(method, url)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == "not_found.route"


async def test_edges_still_serve_the_contract_and_the_mesh_its_health(bank: Bank):
    document = await bank.http.get(f"{PUBLIC}/openapi.json")
    assert document.status_code == 200 and "/ping/whoami" in document.json()["paths"]
    unauthenticated = await bank.http.get(f"{PUBLIC}/ping/whoami")
    assert unauthenticated.status_code == 401
    login = await bank.http.get(f"{PUBLIC}/oauth2/authorize", params={"client_id": "nobody"})
    assert login.status_code != 404
    mesh = await bank.http.get(f"http://127.0.0.1:{MESH_PORT}/readyz", headers={"host": "cards"})
    assert mesh.status_code == 200


@contextmanager
def frozen(stack: Stack, *services: str) -> Iterator[None]:
    """The services hang (SIGSTOP) inside the block, as a process stuck on its CPU would."""
    pids = [stack.status()[name]["pid"] for name in services]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in reversed(pids):
            os.kill(pid, signal.SIGCONT)


async def test_edge_answers_91_for_a_hung_card_api_which_stands_in_when_it_wakes(
    bank: Bank, stack: Stack
):
    ivy = await bank.customer(1000)
    message = authorisation(ivy["card_token"], 100)
    with frozen(stack, "card-processing"):
        sending = asyncio.create_task(
            bank.send("authorisations", message, headers={"X-Network-Deadline-Ms": "600"})
        )
        await asyncio.sleep(0.2)  # card-api has forwarded it to card-processing
        with frozen(stack, "card-api"):
            started = time.monotonic()
            response = await sending
            took = time.monotonic() - started
    assert response.status_code == 200
    assert response.json() == {"approved": False, "response_code": "91"}
    assert took < 0.5 and len(response.headers["x-trace-id"]) == 32
    await asyncio.sleep(2.0)  # card-api's notice reaches card-processing in the background
    retry = await bank.network("authorisations", message)
    assert retry == {"approved": False, "response_code": "91"}  # the stand-in is the answer
    assert (await bank.balance(ivy["account_id"]))["held"] == 0
