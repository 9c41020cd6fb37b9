"""Card tokens that are not tokens, through the real edge: the network is answered 14 and
nothing is held or recorded; and a hostile path segment crosses the real mesh (Envoy) as the
one literal segment it was built as."""

from typing import Any

import pytest

from smartbank import context
from smartbank.errors import ServiceError
from smartbank.rpc import RpcClient, route
from smartbank.settings import PlatformSettings
from tests.e2e.driver import MESH, Bank, authorisation, original_of

pytestmark = pytest.mark.asyncio(loop_scope="session")


def hostile_tokens(customer: dict[str, str]) -> list[str]:
    token = customer["card_token"]
    return [
        f"../{customer['card_id']}",
        f"{token}?x=1",
        f"{token}#frag",
        f"{token}/",
        f" {token}",
        "../../healthz",
        "a/b",
        "%2e%2e",
        "x" * 65,
        "ctok_ålice",
        "",
    ]


async def test_hostile_token_is_14_and_nothing_is_held_or_recorded(bank: Bank):
    gus = await bank.customer(1000)
    for token in hostile_tokens(gus):
        message = authorisation(token, 100)
        answer = await bank.network("authorisations", message)
        assert answer == {"approved": False, "response_code": "14"}, token
        for kind in ("reversals", "presentments"):
            adjustment = adjustment_of(message, token)
            assert await bank.network(kind, adjustment) == {
                "accepted": False,
                "response_code": "14",
            }, (kind, token)
    balance = await bank.balance(gus["account_id"])
    assert (balance["balance"], balance["held"], balance["ledger_balance"]) == (1000, 0, 1000)
    assert [t for t in await bank.transactions(gus["account_id"]) if not t["is_load"]] == []
    real = await bank.network("authorisations", authorisation(gus["card_token"], 100))
    assert real["response_code"] == "00"


def adjustment_of(message: dict[str, Any], token: str) -> dict[str, Any]:
    return {"card_token": token, "original": original_of(message), "amount": 100, "currency": "GBP"}


@pytest.mark.parametrize("value", ["%2e%2e", "%2F", "x?y=1", "x#y", "a b", "å", "...", "a\\b"])
async def test_routed_segment_crosses_the_mesh_as_one_literal_segment(bank: Bank, value: str):
    rpc = RpcClient("e2e", PlatformSettings(mesh_url=MESH))
    try:
        with context.bound(context.fresh(5.0)), pytest.raises(ServiceError) as missing:
            await rpc.call("merchant", "GET", route("/merchants/{}", value), idempotent=True)
    finally:
        await rpc.close()
    assert missing.value.code == "not_found.merchant"
    assert missing.value.params == {"merchant_id": value}


@pytest.mark.parametrize(
    "raw", ["/cards/by-token/..%2F..%2Fhealthz", "/cards/by-token/%2e%2e%2f%2e%2e%2fhealthz"]
)
async def test_encoded_traversal_on_the_mesh_reaches_no_route(bank: Bank, raw: str):
    response = await bank.http.get(f"{MESH}{raw}", headers={"host": "cards"})
    assert (response.status_code, response.json()["code"]) == (404, "not_found.route")
