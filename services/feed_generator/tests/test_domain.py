import re
from typing import Any

import pytest

from feed_generator.domain import DECLINED, ENRICHED, REVERSED, SETTLED, build_item
from smartbank.errors import ServiceError
from smartbank.ids import derived_id

EVENT_TYPES = (ENRICHED, SETTLED, REVERSED, DECLINED)


def body(event_type: str, transaction: dict[str, Any]) -> str | None:
    item = build_item(event_type, transaction)
    return item["body"] if item else None


def test_build_item_for_enriched_spend_shows_the_merchant(transaction: Any) -> None:
    assert build_item(ENRICHED, transaction()) == {
        "id": derived_id("feeditem", "tx_1", ENRICHED),
        "account_id": "acc_1",
        "user_id": "user_1",
        "type": "transaction",
        "title": "Starbucks",
        "body": "£3.50",
        "image_url": "https://example.com/starbucks.png",
        "emoji": "☕",
        "url": "",
        "transaction_id": "tx_1",
        "created": "2026-11-22T10:00:00.000Z",
    }


def test_build_item_for_enriched_credit_adds_a_plus(transaction: Any) -> None:
    top_up = transaction(amount=5000, amount_authorised=5000, is_load=True, currency="EUR")
    assert body(ENRICHED, top_up) == "+€50.00"


@pytest.mark.parametrize("merchant", [None, "merch_1", {}])
def test_build_item_without_merchant_details_titles_with_description(
    transaction: Any, merchant: Any
) -> None:
    item = build_item(ENRICHED, transaction(merchant=merchant))
    assert item is not None
    assert item["title"] == "STARBUCKS 1234 LONDON GBR"
    assert (item["image_url"], item["emoji"]) == ("", "")


def test_build_item_with_a_logo_that_is_no_web_url_leaves_image_empty(transaction: Any) -> None:
    merchant = {"name": "Corner Shop", "logo": "data:image/png;base64,AAAA", "emoji": ""}
    item = build_item(ENRICHED, transaction(merchant=merchant))
    assert item is not None and (item["title"], item["image_url"]) == ("Corner Shop", "")


def test_build_item_with_long_or_blank_titles_stays_valid(transaction: Any) -> None:
    long = build_item(ENRICHED, transaction(merchant=None, description="X" * 500))
    blank = build_item(ENRICHED, transaction(merchant={"name": "  "}, description=""))
    assert long is not None and long["title"] == "X" * 200
    assert blank is not None and blank["title"] == "Transaction"


def test_build_item_without_user_id_leaves_it_empty(transaction: Any) -> None:
    tx = transaction()
    del tx["user_id"]
    item = build_item(ENRICHED, tx)
    assert item is not None and item["user_id"] is None


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        ("INSUFFICIENT_FUNDS", "Declined: insufficient funds"),
        ("CARD_INACTIVE", "Declined: card frozen"),
        ("CARD_BLOCKED", "Declined: card blocked"),
        ("INVALID_CVC", "Declined: incorrect CVC"),
        ("OTHER", "Declined"),
        ("SOMETHING_NEW", "Declined"),
    ],
)
@pytest.mark.parametrize("event_type", [ENRICHED, DECLINED])
def test_build_item_for_a_decline_says_why(
    transaction: Any, event_type: str, reason: str, text: str
) -> None:
    item = build_item(event_type, transaction(decline_reason=reason))
    assert item is not None
    assert (item["title"], item["body"]) == ("Starbucks", text)
    assert item["created"] == "2026-11-22T10:00:00.000Z"


def test_build_item_for_declined_without_reason_just_declines(transaction: Any) -> None:
    assert body(DECLINED, transaction()) == "Declined"


def test_build_item_for_a_decline_is_one_item_from_either_event(transaction: Any) -> None:
    declined = transaction(decline_reason="INSUFFICIENT_FUNDS")
    by_enriched, by_declined = build_item(ENRICHED, declined), build_item(DECLINED, declined)
    spent = build_item(ENRICHED, transaction())
    assert by_enriched == by_declined
    assert by_enriched is not None and spent is not None and by_enriched["id"] != spent["id"]


def test_build_item_for_settled_with_a_new_amount_shows_it(transaction: Any) -> None:
    settled = transaction(amount=-340, settled="2026-11-23T02:00:00.000Z")
    item = build_item(SETTLED, settled)
    assert item is not None and item["body"] == "Final amount £3.40"
    assert item["created"] == "2026-11-23T02:00:00.000Z"


@pytest.mark.parametrize("extra", [{}, {"amount_authorised": None}, {"amount_authorised": 0}])
def test_build_item_for_settled_at_the_same_amount_makes_none(
    transaction: Any, extra: dict[str, Any]
) -> None:
    assert build_item(SETTLED, transaction(settled="2026-11-23T02:00:00Z", **extra)) is None


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"amount": 0}, "Refunded £3.50"),
        ({"amount": -300}, "Refunded £0.50"),
        ({"amount": 0, "amount_authorised": 5000, "is_load": True}, "Reversed £50.00"),
        ({"amount_authorised": None}, "Refunded £3.50"),
        ({"amount": 0, "amount_authorised": None}, "Refunded"),
        ({"amount": -350, "amount_authorised": 0}, "Refunded £3.50"),
        ({"amount": 0, "amount_authorised": -500, "currency": "JPY"}, "Refunded ¥500"),
    ],
)
def test_build_item_for_reversed_says_what_came_back(
    transaction: Any, overrides: dict[str, Any], text: str
) -> None:
    item = build_item(REVERSED, transaction(**overrides))
    assert item is not None and item["body"] == text
    assert "created" not in item


@pytest.mark.parametrize("event_type", ["transaction.created", "feed.item.created", ""])
def test_build_item_for_other_events_makes_none(transaction: Any, event_type: str) -> None:
    assert build_item(event_type, transaction()) is None


def test_build_item_ids_are_deterministic_per_transaction_and_event(transaction: Any) -> None:
    changed = transaction(amount=-1, amount_authorised=-2)
    first = [build_item(e, changed) for e in EVENT_TYPES]
    again = [build_item(e, changed) for e in EVENT_TYPES]
    other = [build_item(e, changed | {"id": "tx_2"}) for e in EVENT_TYPES]
    ids = [item["id"] for item in first if item]
    assert ids == [item["id"] for item in again if item]
    assert len(set(ids)) == 4
    assert not set(ids) & {item["id"] for item in other if item}
    assert all(re.fullmatch(r"feeditem_[a-z0-9]+", item_id) for item_id in ids)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id": "1"}, "id"),
        ({"account_id": ""}, "account_id"),
        ({"amount": 3.5}, "amount"),
        ({"amount": True}, "amount"),
        ({"currency": None}, "currency"),
    ],
)
def test_build_item_for_a_malformed_transaction_is_bad_request(
    transaction: Any, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        build_item(ENRICHED, transaction(**overrides))
    assert caught.value.code == "bad_request.invalid_transaction"
    assert caught.value.params == {"field": field}
