"""Clearing on the real local stack: the customer is never charged more than they agreed to."""

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.e2e.driver import Bank, authorisation, original_of

pytestmark = pytest.mark.asyncio(loop_scope="session")

EDGE = "http://127.0.0.1:8080"


def presentment(card_token: str, original: dict[str, str], amount: int, **extra: Any) -> Any:
    return {
        "card_token": card_token,
        "original": original,
        "amount": amount,
        "currency": "GBP",
        **extra,
    }


def chargebacks(account_id: str) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "smartbank.local.cli.main", "chargebacks", "--json"]
    done = subprocess.run(
        [*command, "--account", account_id], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stdout + done.stderr
    claims: list[dict[str, Any]] = json.loads(done.stdout)
    return claims


async def test_overcapture_charges_the_authorisation_and_claims_the_rest(bank: Bank):
    kit = await bank.customer(1000)
    message = authorisation(kit["card_token"], 100, merchant={"descriptor": "ARGOS", "mcc": "5311"})
    approved = await bank.network("authorisations", message)
    clearing = presentment(kit["card_token"], original_of(message), 5_000_000)
    answer = await bank.network("presentments", clearing)
    assert answer == await bank.network("presentments", clearing)
    assert answer == {
        "accepted": True,
        "response_code": "00",
        "transaction_id": approved["transaction_id"],
    }
    balance = await bank.balance(kit["account_id"])
    assert (balance["balance"], balance["ledger_balance"], balance["held"]) == (900, 900, 0)
    assert (await bank.transaction(approved["transaction_id"]))["amount"] == -100
    [claim] = chargebacks(kit["account_id"])
    assert (claim["reason"], claim["presented"], claim["charged"], claim["claimed"]) == (
        "amount_over_authorised",
        5_000_000,
        100,
        4_999_900,
    )


async def test_offline_clearing_overdraws_within_the_floor_limit_only(
    bank: Bank, http: httpx.AsyncClient
):
    lee = await bank.customer(1000)
    original = original_of(authorisation(lee["card_token"], 1))
    answer = await bank.network("presentments", presentment(lee["card_token"], original, 10**8))
    assert answer["accepted"] is True
    headers = {"Authorization": f"Bearer {lee['access_token']}"}
    public = await http.get(
        f"{EDGE}/balance", params={"account_id": lee["account_id"]}, headers=headers
    )
    assert public.status_code == 200 and public.json()["balance"] == 1000 - 5000
    declined = await bank.network("authorisations", authorisation(lee["card_token"], 1))
    assert declined["response_code"] == "51"
    [claim] = chargebacks(lee["account_id"])
    assert (claim["reason"], claim["charged"], claim["claimed"]) == (
        "no_authorisation",
        5000,
        10**8 - 5000,
    )


async def test_clearing_in_another_currency_answers_12_and_changes_nothing(bank: Bank):
    max_ = await bank.customer(1000)
    message = authorisation(max_["card_token"], 300)
    await bank.network("authorisations", message)
    original = original_of(message)
    euros = presentment(max_["card_token"], original, 300, currency="EUR")
    assert await bank.network("presentments", euros) == {"accepted": False, "response_code": "12"}
    assert await bank.network("reversals", euros) == {"accepted": False, "response_code": "12"}
    balance = await bank.balance(max_["account_id"])
    assert (balance["balance"], balance["held"]) == (700, 300)
