"""Pagination and lenient input: limit, since as a time or an id, before, time formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from smartbank import timeutil
from tests.public_api.bank import Bank, Customer


async def listed(ada: Customer, **params: str) -> list[str]:
    response = await ada.get("/transactions", account_id=ada.account_id, **params)
    assert response.status_code == 200, response.text
    return [tx["id"] for tx in response.json()["transactions"]]


@pytest.fixture
async def ada_with_five(bank: Bank) -> tuple[Customer, list[str]]:
    ada = await bank.customer(balance=10_000)
    for amount in (100, 200, 300, 400):
        await bank.swipe(ada.card_token, amount)
    return ada, await listed(ada)


def spellings(moment: datetime) -> list[str]:
    """The same instant the ways clients write it: Z, an offset, a space, no zone."""
    plus_one = moment.astimezone(timezone(timedelta(hours=1)))
    return [
        timeutil.format_time(moment),
        moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z",
        plus_one.isoformat(),
        moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
        moment.strftime("%Y-%m-%dT%H:%M:%S.%f"),
    ]


async def test_limit_and_since_id_page_through_oldest_first(ada_with_five) -> None:
    ada, every = ada_with_five
    assert len(every) == 5
    first = await listed(ada, limit="2")
    assert first == every[:2]
    assert await listed(ada, since=first[-1], limit="2") == every[2:4]
    assert await listed(ada, since=every[3]) == every[4:]


async def test_since_and_before_accept_every_time_spelling(bank: Bank, ada_with_five) -> None:
    ada, every = ada_with_five
    third = await ada.get(f"/transactions/{every[2]}")
    created = timeutil.parse_time(third.json()["transaction"]["created"]).astimezone(UTC)
    for text in spellings(created):
        assert await listed(ada, since=text) == every[2:], text
        assert await listed(ada, before=text) == every[:2], text


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": "0"}, "bad_request.invalid_limit"),
        ({"limit": "101"}, "bad_request.invalid_limit"),
        ({"limit": "ten"}, "bad_request.invalid_limit"),
        ({"since": "yesterday"}, "bad_request.invalid_time"),
        ({"before": "2026-13-01T00:00:00Z"}, "bad_request.invalid_time"),
        ({"since": "9999-12-31T23:59:59-14:00"}, "bad_request.invalid_time"),
        ({"before": "0001-01-01T00:00:00+05:00"}, "bad_request.invalid_time"),
        ({"limit": " 5"}, "bad_request.invalid_limit"),
        ({"limit": "+5"}, "bad_request.invalid_limit"),
        ({"limit": "٣"}, "bad_request.invalid_limit"),
        ({"since": "tx_doesnotexist"}, "bad_request.invalid_since"),
        ({"expand[]": "account"}, "bad_request.invalid_expand"),
    ],
)
async def test_bad_listing_parameters_are_typed_400s(bank: Bank, params, code) -> None:
    ada = await bank.customer()
    response = await ada.get("/transactions", account_id=ada.account_id, **params)
    assert (response.status_code, response.json()["code"]) == (400, code)


async def test_feed_pages_newest_first_with_before(bank: Bank) -> None:
    ada = await bank.customer()
    for title in ("one", "two", "three"):
        form = {
            "account_id": ada.account_id,
            "type": "basic",
            "params[title]": title,
            "params[image_url]": "https://example.com/i.png",
        }
        assert (await ada.http.post("/feed", data=form)).status_code == 200
    page = (await ada.get("/feed", account_id=ada.account_id, limit="2")).json()["feed_items"]
    assert [item["title"] for item in page] == ["three", "two"]
    rest = await ada.get("/feed", account_id=ada.account_id, before=page[-1]["created"])
    assert [item["title"] for item in rest.json()["feed_items"]] == ["one"]
