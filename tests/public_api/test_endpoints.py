"""Every endpoint of API.md section 1 answers with exactly its documented shape."""

from __future__ import annotations

from typing import Any

from tests.public_api.bank import Bank
from tests.public_api.openapi_doc import rendered

TRANSACTION_KEYS = {
    "id", "account_id", "amount", "currency", "created", "description", "merchant",
    "metadata", "notes", "is_load", "settled", "category",
}  # fmt: skip
MERCHANT_KEYS = {"id", "group_id", "name", "logo", "emoji", "category", "created", "address"}
ADDRESS_KEYS = {"address", "city", "country", "latitude", "longitude", "postcode", "region"}


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["x-trace-id"]
    return response.json()


async def test_whoami_names_the_tokens_customer(bank: Bank) -> None:
    ada = await bank.customer()
    body = ok(await ada.get("/ping/whoami"))
    assert body == {
        "authenticated": True,
        "client_id": "oauth2client_smartbank_cli",
        "user_id": ada.user_id,
    }


async def test_accounts_list_has_every_field(bank: Bank) -> None:
    ada = await bank.customer("Ada Lovelace")
    (account,) = ok(await ada.get("/accounts"))["accounts"]
    assert account["id"] == ada.account_id
    assert account["owners"] == [{"user_id": ada.user_id, "preferred_name": "Ada Lovelace"}]
    assert (account["type"], account["currency"], account["country_code"]) == (
        "uk_retail",
        "GBP",
        "GB",
    )
    assert account["closed"] is False
    assert len(account["account_number"]) == 8 and len(account["sort_code"]) == 6
    assert set(account) == {
        "id", "description", "created", "closed", "type", "currency", "country_code",
        "owners", "account_number", "sort_code",
    }  # fmt: skip
    assert ok(await ada.get("/accounts", account_type="uk_retail"))["accounts"] == [account]
    assert ok(await ada.get("/accounts", account_type="uk_business"))["accounts"] == []


async def test_balance_counts_todays_card_spend_and_pots(bank: Bank) -> None:
    ada = await bank.customer(balance=10_000)
    await bank.swipe(ada.card_token, 350)
    await bank.swipe(ada.card_token, 150)
    body = ok(await ada.get("/balance", account_id=ada.account_id))
    assert body == {
        "balance": 9_500,
        "total_balance": 9_500,
        "currency": "GBP",
        "spend_today": -500,
    }


async def test_transactions_list_oldest_first_with_every_key(bank: Bank) -> None:
    ada = await bank.customer()
    await bank.swipe(ada.card_token, 350)
    listed = ok(await ada.get("/transactions", account_id=ada.account_id))["transactions"]
    top_up, coffee = listed
    assert set(coffee) == TRANSACTION_KEYS and set(top_up) == TRANSACTION_KEYS
    assert (top_up["amount"], top_up["is_load"], top_up["category"]) == (10_000, True, "mondo")
    assert coffee["amount"] == -350 and coffee["merchant"].startswith("merch_")
    assert (coffee["settled"], coffee["metadata"], coffee["notes"]) == ("", {}, "")
    assert coffee["category"] == "eating_out"


async def test_expand_merchant_gives_the_whole_merchant(bank: Bank) -> None:
    ada = await bank.customer()
    await bank.swipe(ada.card_token, 350)
    response = await ada.http.get(
        "/transactions?account_id=" + ada.account_id + "&expand%5B%5D=merchant"
    )
    top_up, coffee = ok(response)["transactions"]
    assert top_up["merchant"] is None
    assert set(coffee["merchant"]) == MERCHANT_KEYS
    assert set(coffee["merchant"]["address"]) == ADDRESS_KEYS
    assert coffee["merchant"]["name"] == "Pret A Manger"
    assert isinstance(coffee["merchant"]["address"]["latitude"], float)
    one = ok(await ada.get(f"/transactions/{coffee['id']}", **{"expand[]": "merchant"}))
    assert one["transaction"] == coffee


async def test_declined_transaction_carries_its_reason(bank: Bank) -> None:
    ada = await bank.customer(balance=100)
    answer = await bank.swipe(ada.card_token, 5_000)
    body = ok(await ada.get(f"/transactions/{answer['transaction_id']}"))
    assert body["transaction"]["decline_reason"] == "INSUFFICIENT_FUNDS"
    assert set(body["transaction"]) == TRANSACTION_KEYS | {"decline_reason"}


async def test_annotate_sets_deletes_and_writes_notes(bank: Bank) -> None:
    ada = await bank.customer()
    tx = (await bank.swipe(ada.card_token, 350))["transaction_id"]
    first = ok(
        await ada.http.patch(
            f"/transactions/{tx}",
            content="metadata%5Bmood%5D=happy&metadata%5Bnotes%5D=lunch+with+Bob&metadata%5Bx%5D=1",
            headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
    )["transaction"]
    assert (first["metadata"], first["notes"]) == ({"mood": "happy", "x": "1"}, "lunch with Bob")
    second = ok(await ada.http.patch(f"/transactions/{tx}", data={"metadata[x]": ""}))
    assert second["transaction"]["metadata"] == {"mood": "happy"}
    assert set(second["transaction"]) == TRANSACTION_KEYS


async def test_feed_create_then_list_newest_first(bank: Bank) -> None:
    ada = await bank.customer()
    form = {
        "account_id": ada.account_id,
        "type": "basic",
        "url": "https://example.com",
        "params[title]": "Hello",
        "params[image_url]": "https://example.com/i.png",
        "params[body]": "from the API",
        "params[background_color]": "#FCF1EE",
    }
    assert ok(await ada.http.post("/feed", data=form)) == {}
    items = ok(await ada.get("/feed", account_id=ada.account_id))["feed_items"]
    assert items[0]["title"] == "Hello" and items[0]["body"] == "from the API"
    assert set(items[0]) == {
        "id", "account_id", "type", "title", "body", "image_url", "url", "transaction_id",
        "created",
    }  # fmt: skip


async def test_webhooks_register_list_delete(bank: Bank) -> None:
    ada = await bank.customer()
    form = {"account_id": ada.account_id, "url": "https://93.184.215.14/hook"}
    made = ok(await ada.http.post("/webhooks", data=form))["webhook"]
    assert made["id"].startswith("webhook_") and made["secret"]
    listed = ok(await ada.get("/webhooks", account_id=ada.account_id))["webhooks"]
    assert listed == [{"id": made["id"], "account_id": ada.account_id, "url": form["url"]}]
    assert ok(await ada.http.delete(f"/webhooks/{made['id']}")) == {}
    assert ok(await ada.get("/webhooks", account_id=ada.account_id)) == {"webhooks": []}


async def test_pots_list_deposit_withdraw_and_replay(bank: Bank) -> None:
    ada = await bank.customer(balance=1_000)
    assert ok(await ada.get("/pots", current_account_id=ada.account_id)) == {"pots": []}
    pot = await bank.rpc.call(
        "balance", "POST", f"/accounts/{ada.account_id}/pots", json={"name": "Rainy day"}
    )
    deposit = {"source_account_id": ada.account_id, "amount": "300", "dedupe_id": "d1"}
    moved = ok(await ada.http.put(f"/pots/{pot['id']}/deposit", data=deposit))
    assert (moved["id"], moved["balance"], moved["deleted"]) == (pot["id"], 300, False)
    assert set(moved) == {
        "id",
        "name",
        "style",
        "balance",
        "currency",
        "created",
        "updated",
        "deleted",
    }
    assert ok(await ada.http.put(f"/pots/{pot['id']}/deposit", data=deposit))["balance"] == 300
    other = await ada.http.put(f"/pots/{pot['id']}/deposit", data={**deposit, "amount": "5"})
    assert other.status_code == 400, other.text
    withdraw = {"destination_account_id": ada.account_id, "amount": "100", "dedupe_id": "w1"}
    assert ok(await ada.http.put(f"/pots/{pot['id']}/withdraw", data=withdraw))["balance"] == 200
    body = ok(await ada.get("/balance", account_id=ada.account_id))
    assert (body["balance"], body["total_balance"]) == (800, 1_000)
    assert (
        ok(await ada.get("/pots", current_account_id=ada.account_id))["pots"][0]["balance"] == 200
    )


async def test_cards_list_and_freeze_declines_a_swipe(bank: Bank) -> None:
    ada = await bank.customer()
    (card,) = ok(await ada.get("/card/list", account_id=ada.account_id))["cards"]
    assert set(card) == {
        "id", "account_id", "processor_token", "last_digits", "name", "expires", "status",
        "created",
    }  # fmt: skip
    frozen = ok(
        await ada.http.put("/card/toggle", data={"card_id": card["id"], "status": "INACTIVE"})
    )
    assert frozen["card"]["status"] == "INACTIVE"
    answer = await bank.swipe(ada.card_token, 100)
    assert (answer["approved"], answer["decline_reason"]) == (False, "CARD_INACTIVE")
    ok(await ada.http.put("/card/toggle", data={"card_id": card["id"], "status": "ACTIVE"}))
    assert (await bank.swipe(ada.card_token, 100))["approved"] is True


async def test_openapi_document_is_served_and_matches_the_code(bank: Bank) -> None:
    served = await bank.client().get("/openapi.json")
    assert served.status_code == 200
    assert served.text == rendered(), "run `make openapi` and commit services/api/openapi.json"
