import asyncio
from typing import Any

import pytest

from card_processing import clearing, main
from smartbank.testing import fake_settings, service_client

ORIGINAL = {"stan": "000007", "rrn": "631512000007", "transmitted_at": "2026-11-22T10:00:00Z"}
ACCOUNT = "acc_ctok_alice"


def auth(amount: int, mcc: str = "5411", currency: str = "GBP") -> dict[str, Any]:
    merchant = {"descriptor": "TESCO STORES 2041", "mcc": mcc}
    return {
        "card_token": "ctok_alice",
        "amount": amount,
        "currency": currency,
        "merchant": merchant,
        **ORIGINAL,
    }


def presentment(amount: int, currency: str = "GBP", **original: str) -> dict[str, Any]:
    return {
        "card_token": "ctok_alice",
        "original": {**ORIGINAL, **original},
        "amount": amount,
        "currency": currency,
    }


async def post(client: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def claims(client: Any, account: str | None = ACCOUNT) -> list[dict[str, Any]]:
    params = {"account_id": account} if account else {}
    response = await client.get("/chargebacks", params=params)
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()["chargebacks"]
    return listed


@pytest.mark.parametrize(
    ("mcc", "percent"),
    [
        ("5812", 20),
        ("5813", 20),
        ("5814", 20),
        ("4121", 20),
        ("5541", 15),
        ("5542", 15),
        ("7011", 15),
        ("7512", 15),
        ("3501", 15),
        ("3999", 15),
        ("3500", 0),
        ("4000", 0),
        ("5411", 0),
        ("", 0),
    ],
)
def test_tolerance_follows_the_merchant_category(mcc: str, percent: int) -> None:
    assert clearing.tolerance_percent(mcc) == percent


async def test_presentment_far_above_authorisation_charges_the_authorised_amount(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        approved = await post(client, "/authorisations", auth(100))
        answer = await post(client, "/presentments", presentment(5_000_000))
        again = await post(client, "/presentments", presentment(5_000_000))
        listed = await claims(client)
        everyone = await claims(client, None)
    tx_id = approved["transaction_id"]
    assert answer == again == {"accepted": True, "response_code": "00", "transaction_id": tx_id}
    assert bank.available[ACCOUNT] == 900 and bank.held() == 0
    assert bank.transactions[tx_id]["amount"] == -100
    assert bank.transactions[tx_id]["status"] == "settled"
    assert listed == everyone
    split = [
        (c["reason"], c["presented"], c["authorised"], c["charged"], c["claimed"]) for c in listed
    ]
    assert split == [("amount_over_authorised", 5_000_000, 100, 100, 4_999_900)]
    assert listed[0]["transaction_id"] == tx_id and listed[0]["currency"] == "GBP"


async def test_presentment_within_the_tip_tolerance_is_charged_in_full(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        await post(client, "/authorisations", auth(350, mcc="5812"))
        await post(client, "/presentments", presentment(420))
        listed = await claims(client)
    assert bank.available[ACCOUNT] == 580
    assert listed == []


async def test_presentment_beyond_the_tip_tolerance_claims_the_excess(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        await post(client, "/authorisations", auth(350, mcc="5812"))
        await post(client, "/presentments", presentment(500))
        listed = await claims(client)
    assert bank.available[ACCOUNT] == 580
    assert [(c["charged"], c["claimed"]) for c in listed] == [(420, 80)]


async def test_presentment_replayed_with_another_amount_is_a_duplicate(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        await post(client, "/authorisations", auth(100))
        await post(client, "/presentments", presentment(90))
        other = await post(client, "/presentments", presentment(95))
    assert other == {"accepted": False, "response_code": "94"}
    assert bank.available[ACCOUNT] == 910


async def test_offline_presentment_is_charged_up_to_the_floor_limit(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answer = await post(client, "/presentments", presentment(100_000_000))
        again = await post(client, "/presentments", presentment(100_000_000))
        listed = await claims(client)
        after = await post(client, "/authorisations", auth(1) | {"stan": "000008"})
    assert answer == again and answer["accepted"] is True
    assert bank.available[ACCOUNT] == 1_000 - 5_000
    assert bank.transactions[answer["transaction_id"]]["amount"] == -5_000
    assert [(c["reason"], c["presented"], c["charged"], c["claimed"]) for c in listed] == [
        ("no_authorisation", 100_000_000, 5_000, 99_995_000)
    ]
    assert (after["approved"], after["response_code"]) == (False, "51")


async def test_offline_floor_limit_is_a_setting(bank):
    settings = fake_settings(main.service, offline_floor_limit=300)
    async with service_client(main.service, rpc=bank.rpc, settings=settings) as client:
        await post(client, "/presentments", presentment(700))
        listed = await claims(client)
    assert bank.available[ACCOUNT] == 700
    assert [(c["charged"], c["claimed"]) for c in listed] == [(300, 400)]


async def test_offline_presentment_within_the_floor_limit_is_not_claimed(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        await post(client, "/presentments", presentment(1_500))
        listed = await claims(client)
    assert bank.available[ACCOUNT] == -500
    assert listed == []


async def test_presentment_in_another_currency_can_never_apply(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        approved = await post(client, "/authorisations", auth(100))
        answer = await post(client, "/presentments", presentment(100, currency="EUR"))
        reversal = {**presentment(100, currency="EUR")}
        reversed_ = await post(client, "/reversals", reversal)
    assert answer == reversed_ == {"accepted": False, "response_code": "12"}
    assert bank.held() == 100
    assert bank.transactions[approved["transaction_id"]]["status"] == "authorised"


async def test_presentment_in_another_currency_after_clearing_can_never_apply(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        await post(client, "/authorisations", auth(100))
        await post(client, "/presentments", presentment(100))
        answer = await post(client, "/presentments", presentment(100, currency="EUR"))
    assert answer == {"accepted": False, "response_code": "12"}
    assert bank.available[ACCOUNT] == 900


async def test_offline_presentment_in_another_currency_can_never_apply(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answer = await post(client, "/presentments", presentment(100, currency="EUR"))
        listed = await claims(client)
    assert answer == {"accepted": False, "response_code": "12"}
    assert bank.available[ACCOUNT] == 1_000 and bank.postings == {} and listed == []


async def test_presentment_whose_capture_failed_is_finished_by_the_retry(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        approved = await post(client, "/authorisations", auth(100))
        bank.failing.add("capture")
        failed = await client.post("/presentments", json=presentment(5_000))
        bank.failing.discard("capture")
        answer = await post(client, "/presentments", presentment(5_000))
        listed = await claims(client)
    assert failed.status_code == 503
    assert answer["accepted"] is True and bank.available[ACCOUNT] == 900
    assert bank.transactions[approved["transaction_id"]]["status"] == "settled"
    assert [(c["charged"], c["claimed"]) for c in listed] == [(100, 4_900)]


async def test_reversal_after_clearing_can_never_apply(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        await post(client, "/presentments", presentment(200))
        answer = await post(client, "/reversals", presentment(200))
    assert answer == {"accepted": False, "response_code": "12"}
    assert bank.available[ACCOUNT] == 800


async def test_capture_left_half_done_is_finished_by_the_expiry_sweep(bank):
    settings = fake_settings(main.service, hold_expiry=0.05, hold_sweep_interval=0.05)
    async with service_client(main.service, rpc=bank.rpc, settings=settings) as client:
        approved = await post(client, "/authorisations", auth(100))
        bank.failing.add("capture")
        assert (await client.post("/presentments", json=presentment(80))).status_code == 503
        bank.failing.discard("capture")
        for _ in range(100):
            await asyncio.sleep(0.05)
            if bank.transactions[approved["transaction_id"]]["status"] != "authorised":
                break
    assert bank.transactions[approved["transaction_id"]]["status"] == "settled"
    assert bank.held() == 0 and bank.available[ACCOUNT] == 920
