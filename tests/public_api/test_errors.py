"""Bad input is a typed 4xx with a code and a message, and changes nothing."""

from __future__ import annotations

import asyncio

import pytest

from auth import tokens
from tests.public_api.bank import Bank


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Bearer"},
        {"authorization": "Basic abc"},
        {"authorization": "Bearer nope"},
    ],
)
async def test_requests_without_a_valid_token_get_401_invalid_token(bank: Bank, headers) -> None:
    ada = await bank.customer()
    for path in ("/ping/whoami", f"/balance?account_id={ada.account_id}", "/accounts"):
        response = await bank.client().get(path, headers=headers)
        body = response.json()
        assert response.status_code == 401, response.text
        assert body["code"].startswith("unauthorized.bad_access_token")
        assert body["error"] == "invalid_token" and body["error_description"]
        assert response.headers["x-trace-id"]


async def test_unknown_path_is_404_and_wrong_method_405(bank: Bank) -> None:
    ada = await bank.customer()
    missing = await ada.http.get("/nowhere")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found.route")
    wrong = await ada.http.post("/accounts")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed.route")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"amount": "1.5"}, "amount"),
        ({"amount": "-100"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "99999999999999999999999"}, "amount"),
        ({"amount": "10.0"}, "amount"),
        ({"amount": "1_0"}, "amount"),
        ({"amount": " 10"}, "amount"),
        ({"source_account_id": "acc_x/pots"}, "source_account_id"),
        ({"dedupe_id": ""}, "dedupe_id"),
        ({"source_account_id": None}, "source_account_id"),
    ],
)
async def test_bad_pot_deposits_are_400_and_move_no_money(bank: Bank, form, field) -> None:
    ada = await bank.customer(balance=1_000)
    pot = await bank.rpc.call(
        "balance", "POST", f"/accounts/{ada.account_id}/pots", json={"name": "Pot"}
    )
    good = {"source_account_id": ada.account_id, "amount": "10", "dedupe_id": "d"}
    sent = {k: v for k, v in {**good, **form}.items() if v is not None}
    response = await ada.http.put(f"/pots/{pot['id']}/deposit", data=sent)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "bad_request.invalid_request" and field in body["message"]
    balance = (await ada.get("/balance", account_id=ada.account_id)).json()
    assert (balance["balance"], balance["total_balance"]) == (1_000, 1_000)


async def test_json_body_where_a_form_is_expected_is_400(bank: Bank) -> None:
    ada = await bank.customer()
    response = await ada.http.put(
        "/card/toggle", json={"card_id": ada.card_id, "status": "INACTIVE"}
    )
    assert (response.status_code, response.json()["code"]) == (
        400,
        "bad_request.invalid_content_type",
    )


@pytest.mark.parametrize("status", ["FROZEN", "BLOCKED", "", "inactive"])
async def test_card_toggle_takes_only_active_or_inactive(bank: Bank, status) -> None:
    ada = await bank.customer()
    response = await ada.http.put("/card/toggle", data={"card_id": ada.card_id, "status": status})
    assert response.status_code == 400, response.text
    (card,) = (await ada.get("/card/list", account_id=ada.account_id)).json()["cards"]
    assert card["status"] == "ACTIVE"


@pytest.mark.parametrize(
    "weird", ["..%2Faccounts", "%00", "a" * 300, "tx_%2F..%2F..", "%E2%80%AE", "tx_ok?x=1"]
)
async def test_odd_ids_in_paths_are_404s(bank: Bank, weird) -> None:
    ada = await bank.customer()
    response = await ada.http.get(f"/transactions/{weird}")
    assert response.status_code == 404, response.text


async def test_feed_item_needs_title_image_and_basic_type(bank: Bank) -> None:
    ada = await bank.customer()
    base = {"account_id": ada.account_id, "type": "basic", "params[title]": "t",
            "params[image_url]": "https://example.com/i.png"}  # fmt: skip
    for change in ({"type": "fancy"}, {"params[title]": ""}, {"params[body_color]": "red"}):
        response = await ada.http.post("/feed", data={**base, **change})
        assert response.status_code == 400, (change, response.text)
    items = (await ada.get("/feed", account_id=ada.account_id)).json()["feed_items"]
    assert items == []


async def test_an_expired_token_gets_401_expired(bank: Bank) -> None:
    ada = await bank.customer()
    issued = await tokens.issue_token(bank.apps["auth"].runtime.store, ada.user_id, ttl=1)
    await asyncio.sleep(1.1)
    response = await bank.client(issued["access_token"]).get("/ping/whoami")
    body = response.json()
    assert (response.status_code, body["code"]) == (401, "unauthorized.bad_access_token.expired")
    assert body["error"] == "invalid_token"


async def test_a_new_token_replaces_the_customers_previous_one(bank: Bank) -> None:
    ada = await bank.customer()
    assert (await ada.get("/ping/whoami")).status_code == 200
    newer = await tokens.issue_token(bank.apps["auth"].runtime.store, ada.user_id, ttl=60)
    assert (await ada.get("/ping/whoami")).status_code == 401
    assert (await bank.client(newer["access_token"]).get("/ping/whoami")).status_code == 200


@pytest.mark.parametrize("odd", ["{acc}/pots", "{acc}/balance", ".", "..", "{acc}%2Fpots"])
async def test_account_ids_that_would_reach_another_route_are_400(bank: Bank, odd: str) -> None:
    ada = await bank.customer()
    for path in ("/balance", "/transactions", "/feed", "/webhooks", "/card/list"):
        response = await ada.http.get(f"{path}?account_id={odd.format(acc=ada.account_id)}")
        assert response.status_code == 400, (path, odd, response.text)
        assert response.json()["code"] == "bad_request.invalid_request"


async def test_a_card_id_with_a_slash_is_refused(bank: Bank) -> None:
    ada = await bank.customer()
    form = {"card_id": f"{ada.card_id}/status", "status": "INACTIVE"}
    response = await ada.http.put("/card/toggle", data=form)
    assert response.status_code == 400, response.text


async def test_someone_elses_id_and_a_missing_id_get_the_same_404(bank: Bank) -> None:
    ada, bob = await bank.customer("Ada"), await bank.customer("Bob")
    tx = (await bank.swipe(ada.card_token, 100))["transaction_id"]
    theirs = await bob.http.get(f"/transactions/{tx}")
    absent = await bob.http.get("/transactions/tx_0mx3c4vxl4k54rilofpodwmi0")
    assert theirs.status_code == absent.status_code == 404
    assert theirs.json() == absent.json()
    card_theirs = await bob.http.put(
        "/card/toggle", data={"card_id": ada.card_id, "status": "ACTIVE"}
    )
    card_absent = await bob.http.put(
        "/card/toggle", data={"card_id": "card_nope", "status": "ACTIVE"}
    )
    assert card_theirs.json() == card_absent.json() and card_theirs.status_code == 404


async def test_oversized_or_overlong_forms_are_400(bank: Bank) -> None:
    ada = await bank.customer()
    many = "&".join(f"metadata%5Bk{i}%5D=v" for i in range(300))
    headers = {"content-type": "application/x-www-form-urlencoded"}
    tx = (await bank.swipe(ada.card_token, 100))["transaction_id"]
    response = await ada.http.patch(f"/transactions/{tx}", content=many, headers=headers)
    assert (response.status_code, response.json()["code"]) == (400, "bad_request.invalid_body")
    huge = await ada.http.patch(f"/transactions/{tx}", content="a=" + "x" * 70_000, headers=headers)
    assert (huge.status_code, huge.json()["code"]) == (400, "bad_request.body_too_large")


async def test_form_fields_are_matched_by_their_wire_names_only(bank: Bank) -> None:
    ada = await bank.customer()
    form = {"account_id": ada.account_id, "type": "basic", "title": "t", "image_url": "https://x/i"}
    response = await ada.http.post("/feed", data=form)
    assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    ("down", "path"),
    [
        ("balance", "/balance?account_id={account}"),
        ("transactions", "/transactions?account_id={account}"),
        ("auth", "/ping/whoami"),
    ],
)
async def test_a_service_that_is_down_is_a_500_with_the_public_codes(
    bank: Bank, down: str, path: str
) -> None:
    ada = await bank.customer()
    stopped = bank.rpc.apps.pop(down)
    try:
        response = await ada.http.get(path.format(account=ada.account_id))
    finally:
        bank.rpc.apps[down] = stopped
    assert response.status_code == 500, response.text
    assert response.json()["code"] == "internal_service.unavailable"
    assert response.headers["x-trace-id"]
    assert (await ada.http.get(path.format(account=ada.account_id))).status_code == 200
