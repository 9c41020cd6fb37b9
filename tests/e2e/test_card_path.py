"""The synchronous half of a card payment, end to end on the real local stack."""

import asyncio

import pytest

from tests.e2e.driver import Bank, authorisation, original_of

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_swipe_is_approved_and_holds_the_amount(bank: Bank):
    alice = await bank.customer(1000)
    answer = await bank.network("authorisations", authorisation(alice["card_token"], 350))
    assert answer["approved"] is True and answer["response_code"] == "00"
    balance = await bank.balance(alice["account_id"])
    assert (balance["balance"], balance["held"], balance["ledger_balance"]) == (650, 350, 1000)
    recorded = await bank.transaction(answer["transaction_id"])
    assert recorded["status"] == "authorised" and recorded["amount"] == -350
    assert recorded["description"] == "STARBUCKS 1234 LONDON GBR" and recorded["settled"] == ""


async def test_insufficient_funds_declines_51_and_is_recorded(bank: Bank):
    bob = await bank.customer(100)
    answer = await bank.network("authorisations", authorisation(bob["card_token"], 101))
    assert (answer["response_code"], answer["decline_reason"]) == ("51", "INSUFFICIENT_FUNDS")
    recorded = await bank.transaction(answer["transaction_id"])
    assert recorded["status"] == "declined" and recorded["decline_reason"] == "INSUFFICIENT_FUNDS"
    assert (await bank.balance(bob["account_id"]))["balance"] == 100


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [("INACTIVE", "62", "CARD_INACTIVE"), ("BLOCKED", "05", "CARD_BLOCKED")],
)
async def test_frozen_or_blocked_card_declines(bank: Bank, status, code, reason):
    carol = await bank.customer(1000)
    await bank.set_card_status(carol["card_id"], status)
    answer = await bank.network("authorisations", authorisation(carol["card_token"], 100))
    assert (answer["response_code"], answer["decline_reason"]) == (code, reason)
    assert (await bank.balance(carol["account_id"]))["held"] == 0


async def test_unfrozen_card_is_approved_again(bank: Bank):
    dan = await bank.customer(1000)
    await bank.set_card_status(dan["card_id"], "INACTIVE")
    frozen = await bank.network("authorisations", authorisation(dan["card_token"], 100))
    await bank.set_card_status(dan["card_id"], "ACTIVE")
    thawed = await bank.network("authorisations", authorisation(dan["card_token"], 100))
    assert frozen["response_code"] == "62" and thawed["response_code"] == "00"


async def test_expired_card_declines_54(bank: Bank):
    erin = await bank.customer(1000)
    card = await bank.inside(
        "cards",
        "POST",
        "/cards",
        json={
            "account_id": erin["account_id"],
            "user_id": erin["user_id"],
            "name": "Erin",
            "expires": "01/2020",
        },
    )
    answer = await bank.network("authorisations", authorisation(card["processor_token"], 100))
    assert (answer["response_code"], answer["decline_reason"]) == ("54", "OTHER")


async def test_unknown_card_answers_14_with_no_transaction(bank: Bank):
    answer = await bank.network("authorisations", authorisation("ctok_nobody", 100))
    assert answer == {"approved": False, "response_code": "14"}


async def test_other_currency_declines(bank: Bank):
    fay = await bank.customer(1000)
    answer = await bank.network(
        "authorisations", authorisation(fay["card_token"], 100, currency="EUR")
    )
    assert answer["approved"] is False and answer["decline_reason"] == "OTHER"
    assert (await bank.balance(fay["account_id"]))["held"] == 0


async def test_replayed_message_gets_same_answer_and_one_hold(bank: Bank):
    gus = await bank.customer(1000)
    message = authorisation(gus["card_token"], 300)
    first = await bank.network("authorisations", message)
    again = await asyncio.gather(*(bank.network("authorisations", message) for _ in range(5)))
    assert all(answer == first for answer in again)
    assert (await bank.balance(gus["account_id"]))["held"] == 300


async def test_conflicting_replay_answers_94(bank: Bank):
    hal = await bank.customer(1000)
    message = authorisation(hal["card_token"], 300)
    await bank.network("authorisations", message)
    answer = await bank.network("authorisations", {**message, "amount": 301})
    assert answer == {"approved": False, "response_code": "94"}
    assert (await bank.balance(hal["account_id"]))["held"] == 300


async def test_reversal_releases_the_hold(bank: Bank):
    ivy = await bank.customer(1000)
    message = authorisation(ivy["card_token"], 400)
    approved = await bank.network("authorisations", message)
    reversal = {"card_token": ivy["card_token"], "original": original_of(message)}
    assert await bank.network("reversals", reversal) == {"accepted": True, "response_code": "00"}
    assert await bank.network("reversals", reversal) == {"accepted": True, "response_code": "00"}
    balance = await bank.balance(ivy["account_id"])
    assert (balance["balance"], balance["held"]) == (1000, 0)
    assert (await bank.transaction(approved["transaction_id"]))["status"] == "reversed"


async def test_presentment_for_a_different_amount_settles(bank: Bank):
    jo = await bank.customer(1000)
    message = authorisation(jo["card_token"], 350)
    approved = await bank.network("authorisations", message)
    presentment = {
        "card_token": jo["card_token"],
        "original": original_of(message),
        "amount": 420,
        "currency": "GBP",
    }
    answer = await bank.network("presentments", presentment)
    assert answer == {
        "accepted": True,
        "response_code": "00",
        "transaction_id": approved["transaction_id"],
    }
    assert await bank.network("presentments", presentment) == answer
    balance = await bank.balance(jo["account_id"])
    assert (balance["balance"], balance["ledger_balance"], balance["held"]) == (580, 580, 0)
    settled = await bank.transaction(approved["transaction_id"])
    assert settled["status"] == "settled" and settled["amount"] == -420 and settled["settled"]


async def test_reversal_before_its_authorisation_declines_it(bank: Bank):
    kim = await bank.customer(1000)
    message = authorisation(kim["card_token"], 200)
    early = await bank.network(
        "reversals", {"card_token": kim["card_token"], "original": original_of(message)}
    )
    answer = await bank.network("authorisations", message)
    assert early == {"accepted": False, "response_code": "25"}
    assert answer["approved"] is False and answer["decline_reason"] == "OTHER"
    assert (await bank.balance(kim["account_id"]))["held"] == 0


async def test_200_concurrent_swipes_never_overdraw(bank: Bank):
    lee = await bank.customer(1000)
    # A generous network deadline: this is about correctness under contention, not speed
    # (speed is `make bench`'s job), so no swipe may be answered 91 here.
    answers = await asyncio.gather(
        *(
            bank.network("authorisations", authorisation(lee["card_token"], 10), deadline_ms=30_000)
            for _ in range(200)
        )
    )
    assert sum(answer["approved"] for answer in answers) == 100
    assert sum(answer.get("response_code") == "51" for answer in answers) == 100
    balance = await bank.balance(lee["account_id"])
    assert (balance["balance"], balance["held"]) == (0, 1000)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"card_token": "ctok_x"}',
        None,
    ],
)
async def test_malformed_message_is_400_and_records_nothing(bank: Bank, body):
    mo = await bank.customer(1000)
    good = authorisation(mo["card_token"], 100)
    bad_messages = [
        {**good, "amount": 0},
        {**good, "amount": -5},
        {**good, "amount": "100"},
        {**good, "currency": "XXQ"},
        {k: v for k, v in good.items() if k != "stan"},
    ]
    before = await bank.transactions(mo["account_id"])
    if body is None:
        responses = [await bank.send("authorisations", message) for message in bad_messages]
    else:
        responses = [
            await bank.http.post(
                "http://127.0.0.1:8090/network/v1/authorisations",
                content=body,
                headers={"content-type": "application/json"},
            )
        ]
    for response in responses:
        assert response.status_code == 400, response.text
        assert response.json()["code"].startswith("bad_request.")
        assert response.json()["message"]
    assert await bank.transactions(mo["account_id"]) == before
    assert (await bank.balance(mo["account_id"]))["held"] == 0
