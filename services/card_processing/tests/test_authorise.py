import asyncio
from typing import Any

import pytest

from card_processing import main
from smartbank import timeutil
from smartbank.storage import StorageError
from smartbank.testing import fake_settings, service_client

pytestmark = pytest.mark.asyncio


def auth(
    token: str = "ctok_alice", amount: int = 350, stan: str = "000001", **extra: Any
) -> dict[str, Any]:
    message = {
        "card_token": token,
        "amount": amount,
        "currency": "GBP",
        "merchant": {"descriptor": "STARBUCKS 1234 LONDON GBR", "mcc": "5814"},
        "stan": stan,
        "rrn": "631512" + stan,
        "transmitted_at": "2026-11-22T10:00:00Z",
    }
    message.update(extra)
    return message


async def post(client: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_authorise_approves_and_holds_when_funds_suffice(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answer = await post(client, "/authorisations", auth())
    assert answer["approved"] is True and answer["response_code"] == "00"
    assert len(answer["authorisation_code"]) == 6
    assert bank.available["acc_ctok_alice"] == 650 and bank.held() == 350
    assert bank.transactions[answer["transaction_id"]]["status"] == "authorised"


async def test_authorise_replay_gives_same_answer_and_no_second_hold(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        first = await post(client, "/authorisations", auth())
        again = await post(
            client, "/authorisations", auth(transmitted_at="2026-11-22T10:00:00+00:00")
        )
    assert again == first
    assert bank.held() == 350 and len(bank.rpc.calls_to("balance")) == 1


async def test_authorise_conflicting_replay_answers_94(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        await post(client, "/authorisations", auth())
        answer = await post(client, "/authorisations", auth(amount=999))
    assert answer == {"approved": False, "response_code": "94"}
    assert bank.held() == 350


@pytest.mark.parametrize(
    ("usability", "code", "reason"),
    [
        ("INACTIVE", "62", "CARD_INACTIVE"),
        ("BLOCKED", "05", "CARD_BLOCKED"),
        ("EXPIRED", "54", "OTHER"),
    ],
)
async def test_authorise_declines_unusable_card(bank, usability, code, reason):
    bank.add_card("ctok_bob", 1000, usability)
    async with service_client(main.service, rpc=bank.rpc) as client:
        answer = await post(client, "/authorisations", auth("ctok_bob"))
    assert answer["response_code"] == code and answer["decline_reason"] == reason
    assert bank.transactions[answer["transaction_id"]]["decline_reason"] == reason
    assert bank.held() == 0


async def test_authorise_declines_51_without_funds(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answer = await post(client, "/authorisations", auth(amount=1001))
    assert (answer["response_code"], answer["decline_reason"]) == ("51", "INSUFFICIENT_FUNDS")
    assert bank.transactions[answer["transaction_id"]]["status"] == "declined"


async def test_authorise_unknown_card_answers_14_and_records_nothing(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answer = await post(client, "/authorisations", auth("ctok_nobody"))
    assert answer == {"approved": False, "response_code": "14"}
    assert bank.transactions == {}


async def test_authorise_other_currency_declines(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answer = await post(client, "/authorisations", auth(currency="EUR"))
    assert answer["approved"] is False and answer["decline_reason"] == "OTHER"
    assert bank.held() == 0


async def test_authorise_releases_hold_when_recording_fails(bank):
    bank.failing.add("transactions")
    async with service_client(main.service, rpc=bank.rpc) as client:
        response = await client.post("/authorisations", json=auth())
        assert response.status_code == 503
        assert response.json()["code"] == "unavailable.issuer"
        assert bank.held() == 0 and bank.available["acc_ctok_alice"] == 1000
        bank.failing.clear()
        answer = await post(client, "/authorisations", auth())
    assert answer["approved"] is True and bank.held() == 350


async def test_late_written_transaction_is_declined_and_so_is_its_retry(bank):
    bank.failing.add("transactions-late")
    settings = fake_settings(main.service, record_follow_up=0.05)
    async with service_client(main.service, rpc=bank.rpc, settings=settings) as client:
        response = await client.post("/authorisations", json=auth())
        assert response.status_code == 503 and bank.held() == 0
        await asyncio.sleep(0.3)  # the follow-up runs
        [recorded] = bank.transactions.values()
        assert recorded["status"] == "declined"
        bank.failing.clear()
        retry = await post(client, "/authorisations", auth())
    assert (retry["approved"], retry["response_code"]) == (False, "05")
    assert bank.held() == 0 and bank.available["acc_ctok_alice"] == 1000


async def test_retry_before_the_follow_up_keeps_its_approval(bank):
    bank.failing.add("transactions-late")
    settings = fake_settings(main.service, record_follow_up=0.2)
    async with service_client(main.service, rpc=bank.rpc, settings=settings) as client:
        response = await client.post("/authorisations", json=auth())
        assert response.status_code == 503
        bank.failing.clear()
        answer = await post(client, "/authorisations", auth())
        await asyncio.sleep(0.5)  # the follow-up finds the authorisation taken over
    [recorded] = bank.transactions.values()
    assert answer["approved"] is True and recorded["status"] == "authorised"
    assert bank.held() == 350


async def test_authorise_concurrent_swipes_never_overdraw(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answers = await asyncio.gather(
            *(post(client, "/authorisations", auth(amount=10, stan=f"{i:06d}")) for i in range(200))
        )
    assert sum(a["approved"] for a in answers) == 100
    assert bank.available["acc_ctok_alice"] == 0


async def test_authorise_concurrent_duplicates_place_one_hold(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answers = await asyncio.gather(
            *(post(client, "/authorisations", auth()) for _ in range(20))
        )
    assert all(a == answers[0] for a in answers) and answers[0]["approved"]
    assert bank.held() == 350


async def test_authorise_after_reversal_is_declined(bank):
    reversal = {
        "card_token": "ctok_alice",
        "original": {k: auth()[k] for k in ("stan", "rrn", "transmitted_at")},
    }
    async with service_client(main.service, rpc=bank.rpc) as client:
        early = await post(client, "/reversals", reversal)
        answer = await post(client, "/authorisations", auth())
    assert early == {"accepted": False, "response_code": "25"}
    assert answer["approved"] is False and answer["decline_reason"] == "OTHER"
    assert bank.held() == 0


async def test_expired_hold_is_released_by_the_sweep(bank):
    settings = fake_settings(main.service, hold_expiry=0.05, hold_sweep_interval=0.05)
    async with service_client(main.service, rpc=bank.rpc, settings=settings) as client:
        answer = await post(client, "/authorisations", auth())
        assert bank.held() == 350
        for _ in range(100):
            await asyncio.sleep(0.05)
            if bank.held() == 0:
                break
    assert bank.held() == 0 and bank.available["acc_ctok_alice"] == 1000
    assert bank.transactions[answer["transaction_id"]]["status"] == "reversed"


async def test_retry_takes_over_a_crashed_attempt_and_gives_back_its_hold(bank):
    from card_processing.messages import Authorisation, auth_key
    from card_processing.tables import authorisations

    message = auth()
    key = auth_key("ctok_alice", Authorisation.model_validate(message).original)
    async with service_client(main.service, rpc=bank.rpc) as client:
        store = client.app.runtime.store  # type: ignore[attr-defined]
        bank.reserve(
            {"account": "acc_ctok_alice"},
            {"hold_id": "hold_crashed", "amount": 350, "currency": "GBP"},
        )
        await store.insert(
            authorisations,
            {
                "auth_key": key,
                "auth_id": "auth_x",
                "hold_id": "hold_crashed",
                "state": "pending",
                "fingerprint": Authorisation.model_validate(message).fingerprint(),
                "attempt": "dead",
                "lease_until": "2000-01-01T00:00:00.000Z",
                "transaction_id": "tx_crashed",
                "reversal_ids": [],
                "stand_in": False,
                "reversed_early": False,
                "expires_at": "2099-01-01T00:00:00.000Z",
                "created": "2026-11-22T10:00:00.000Z",
                "version": 1,
            },
        )
        answer = await post(client, "/authorisations", message)
    assert answer["approved"] is True
    assert bank.holds["hold_crashed"]["state"] == "released"
    assert bank.held() == 350 and bank.available["acc_ctok_alice"] == 650


async def test_follow_up_of_a_failed_recording_survives_a_restart(bank, tmp_path):
    bank.failing.add("transactions-late")
    settings = fake_settings(
        main.service, record_follow_up=0.3, storage="sqlite", data_dir=tmp_path
    )
    async with service_client(main.service, rpc=bank.rpc, settings=settings) as client:
        response = await client.post("/authorisations", json=auth())
        assert response.status_code == 503 and bank.held() == 0
    [recorded] = bank.transactions.values()
    assert recorded["status"] == "authorised"  # the late write landed; nobody declined it yet
    async with service_client(main.service, rpc=bank.rpc, settings=settings):
        await asyncio.sleep(0.8)  # the restarted service's sweep finds the follow-up due
    assert recorded["status"] == "declined"


async def test_a_hold_whose_compensation_failed_is_given_back_once_the_lease_is_over(bank):
    bank.failing.update({"transactions", "release"})  # the recording fails, then its undo
    settings = fake_settings(main.service, pending_lease=0.1, record_follow_up=0.05)
    async with service_client(main.service, rpc=bank.rpc, settings=settings) as client:
        response = await client.post("/authorisations", json=auth())
        assert response.status_code == 503 and bank.held() == 350
        bank.failing.clear()
        await until(lambda: bank.held() == 0)
    assert bank.available["acc_ctok_alice"] == 1000


async def test_an_attempt_whose_decision_was_never_written_gives_its_hold_back(bank):
    """The store goes away just before the decision is written: the hold and the authorised
    transaction are left behind, and no failure path runs; the follow-up scheduled before the
    hold undoes both once the attempt's lease is over."""
    settings = fake_settings(main.service, pending_lease=0.1, record_follow_up=0.05)
    async with service_client(main.service, rpc=bank.rpc, settings=settings) as client:
        runtime = client.app.runtime  # type: ignore[attr-defined]
        store, runtime.store = runtime.store, DecisionLost(runtime.store)
        response = await client.post("/authorisations", json=auth())
        assert response.status_code == 503 and bank.held() == 350
        runtime.store = store
        await until(lambda: bank.held() == 0)
    [recorded] = bank.transactions.values()
    assert recorded["status"] == "declined"


class DecisionLost:
    """The service's store, except that writing an approval fails (the node went away)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def update(self, table: Any, key: Any, values: dict[str, Any], **kw: Any) -> Any:
        if values.get("state") == "approved":
            raise StorageError("Cassandra went away")
        return await self.store.update(table, key, values, **kw)


async def test_an_attempt_that_died_after_holding_gives_its_hold_back_once_its_lease_is_over(
    bank,
):
    """What a crash between reserving and deciding leaves: a pending record, its hold, its
    follow-up; nobody retries (the network was answered 91 by card-api)."""
    from card_processing.follow_ups import FollowUps
    from card_processing.records import Records

    settings = fake_settings(main.service, record_follow_up=0.05)
    async with service_client(main.service, rpc=bank.rpc, settings=settings) as client:
        records = Records(client.app.runtime.store)  # type: ignore[attr-defined]
        row = crashed_record(lease_until=timeutil.format_time(timeutil.now()))
        await records.create(row)
        bank.reserve({"account": "acc_ctok_alice"}, {**row, "amount": 350, "currency": "GBP"})
        await FollowUps(records, None, 0.05).before_holding(row)  # type: ignore[arg-type]
        await until(lambda: bank.held() == 0)
        assert (await records.must_get(row["auth_key"]))["state"] == "failed"
    assert bank.available["acc_ctok_alice"] == 1000


def crashed_record(**overrides: Any) -> dict[str, Any]:
    return {
        "auth_key": "ctok_alice/000001/crashed",
        "auth_id": "auth_crashed",
        "hold_id": "hold_crashed",
        "state": "pending",
        "fingerprint": "f",
        "attempt": "dead",
        "lease_until": "2000-01-01T00:00:00.000Z",
        "transaction_id": "tx_crashed",
        "account_id": "acc_ctok_alice",
        "reversal_ids": [],
        "stand_in": False,
        "reversed_early": False,
        "expires_at": "2099-01-01T00:00:00.000Z",
        "created": "2026-11-22T10:00:00.000Z",
        **overrides,
    }


async def until(condition: Any, within: float = 5.0) -> None:
    for _ in range(int(within / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within the time allowed")
