from collections.abc import Callable
from typing import Any

import pytest

MakeTransaction = Callable[..., dict[str, Any]]

MERCHANT = {
    "id": "merch_1",
    "group_id": "grp_1",
    "name": "Starbucks",
    "logo": "https://example.com/starbucks.png",
    "emoji": "☕",
    "category": "eating_out",
    "created": "2026-01-01T00:00:00.000Z",
    "address": {
        "address": "1 Strand",
        "city": "London",
        "country": "GB",
        "latitude": 51.5,
        "longitude": -0.12,
        "postcode": "WC2N 5HR",
        "region": "",
    },
}


@pytest.fixture
def transaction() -> MakeTransaction:
    def make(**overrides: Any) -> dict[str, Any]:
        return {
            "id": "tx_1",
            "account_id": "acc_1",
            "user_id": "user_1",
            "amount": -350,
            "amount_authorised": -350,
            "currency": "GBP",
            "created": "2026-11-22T10:00:00.000Z",
            "description": "STARBUCKS 1234 LONDON GBR",
            "merchant": MERCHANT,
            "metadata": {},
            "notes": "",
            "is_load": False,
            "settled": "",
            "category": "eating_out",
            **overrides,
        }

    return make
