"""BOLA: another customer's token gets 403 or 404 for every endpoint that takes an id, sees
no data, and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.public_api.bank import Bank, Customer


@dataclass
class Victim:
    ada: Customer
    bob: Customer
    tx: str
    pot: str
    bob_pot: str
    webhook: str


@pytest.fixture
async def victim(bank: Bank) -> Victim:
    ada, bob = await bank.customer("Ada"), await bank.customer("Bob")
    tx = (await bank.swipe(ada.card_token, 350))["transaction_id"]
    pots = []
    for owner in (ada, bob):
        made = await bank.rpc.call(
            "balance", "POST", f"/accounts/{owner.account_id}/pots", json={"name": "Savings"}
        )
        pots.append(made["id"])
    hook = await ada.http.post(
        "/webhooks", data={"account_id": ada.account_id, "url": "https://93.184.215.14/h"}
    )
    return Victim(ada, bob, tx, pots[0], pots[1], hook.json()["webhook"]["id"])


def requests(v: Victim) -> list[tuple[str, str, dict[str, str], dict[str, str], int]]:
    acc, bob_acc = v.ada.account_id, v.bob.account_id
    move = {"amount": "10", "dedupe_id": "x"}
    return [
        ("GET", "/balance", {"account_id": acc}, {}, 403),
        ("GET", "/transactions", {"account_id": acc}, {}, 403),
        ("GET", f"/transactions/{v.tx}", {}, {}, 404),
        ("PATCH", f"/transactions/{v.tx}", {}, {"metadata[notes]": "mine"}, 404),
        ("POST", "/feed", {}, {"account_id": acc, "type": "basic", "params[title]": "x",
                               "params[image_url]": "https://x/i.png"}, 403),
        ("GET", "/feed", {"account_id": acc}, {}, 403),
        ("GET", "/webhooks", {"account_id": acc}, {}, 403),
        ("POST", "/webhooks", {}, {"account_id": acc, "url": "https://93.184.215.14/b"}, 403),
        ("DELETE", f"/webhooks/{v.webhook}", {}, {}, 404),
        ("GET", "/pots", {"current_account_id": acc}, {}, 403),
        ("PUT", f"/pots/{v.pot}/deposit", {}, {"source_account_id": bob_acc, **move}, 404),
        ("PUT", f"/pots/{v.pot}/withdraw", {}, {"destination_account_id": bob_acc, **move}, 404),
        ("PUT", f"/pots/{v.bob_pot}/deposit", {}, {"source_account_id": acc, **move}, 403),
        ("PUT", f"/pots/{v.bob_pot}/withdraw", {}, {"destination_account_id": acc, **move}, 403),
        ("GET", "/card/list", {"account_id": acc}, {}, 403),
        ("PUT", "/card/toggle", {}, {"card_id": v.ada.card_id, "status": "INACTIVE"}, 404),
    ]  # fmt: skip


async def test_another_customers_ids_are_refused_and_change_nothing(
    bank: Bank, victim: Victim
) -> None:
    before = await snapshot(victim.ada)
    for method, path, params, form, status in requests(victim):
        response = await victim.bob.http.request(method, path, params=params, data=form or None)
        assert response.status_code == status, (method, path, response.text)
        body = response.json()
        assert set(body) == {"code", "message", "params"}, body
        assert body["code"].split(".")[0] == ("forbidden" if status == 403 else "not_found")
    assert await snapshot(victim.ada) == before


async def test_the_owner_still_can(bank: Bank, victim: Victim) -> None:
    for method, path, params, form, _ in requests(victim):
        if victim.bob.account_id in str(form) or victim.bob_pot in path:
            continue
        response = await victim.ada.http.request(method, path, params=params, data=form or None)
        assert response.status_code == 200, (method, path, response.text)


async def snapshot(ada: Customer) -> list[object]:
    paths = [
        f"/balance?account_id={ada.account_id}",
        f"/transactions?account_id={ada.account_id}",
        f"/feed?account_id={ada.account_id}",
        f"/webhooks?account_id={ada.account_id}",
        f"/pots?current_account_id={ada.account_id}",
        f"/card/list?account_id={ada.account_id}",
    ]
    return [(await ada.http.get(path)).json() for path in paths]
