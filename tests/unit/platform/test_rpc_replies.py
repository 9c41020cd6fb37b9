"""A call with `reply=` answers the contract model, from the wire and from the fakes alike, and
an answer that does not fit the contract is a typed 502, never a KeyError further on."""

from typing import Any

import orjson
import pytest

from smartbank import rpc
from smartbank.contracts.balance import Release
from smartbank.contracts.card_processing import Decision
from smartbank.contracts.cards import Card
from smartbank.errors import ServiceError
from smartbank.testing import FakeRpc

CARD: dict[str, Any] = {
    "id": "card_1",
    "account_id": "acc_1",
    "user_id": "user_1",
    "processor_token": "ctok_1",
    "last_digits": "4242",
    "name": "Alice",
    "expires": "12/2030",
    "status": "ACTIVE",
    "created": "2026-01-01T00:00:00.000Z",
}


def test_decode_with_reply_answers_the_model() -> None:
    card = rpc.decode("cards", 200, orjson.dumps({**CARD, "added_later": 1}), Card)
    assert isinstance(card, Card) and card.id == "card_1"


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"id": "card_1"}', b'{"id": 7, ' + b"}", b""]
)
def test_decode_of_a_reply_off_contract_is_bad_gateway(body: bytes) -> None:
    with pytest.raises(ServiceError) as raised:
        rpc.decode("cards", 200, body, Card)
    assert raised.value.code == "bad_gateway.invalid_response"
    assert raised.value.status == 502
    assert "cards answered no Card" in raised.value.message


def test_decode_of_an_error_with_reply_is_the_typed_error() -> None:
    with pytest.raises(ServiceError) as raised:
        rpc.decode("cards", 404, b'{"code": "not_found.card", "message": "no", "params": {}}', Card)
    assert raised.value.code == "not_found.card"


async def test_fake_answer_is_checked_against_the_reply() -> None:
    fake = FakeRpc()
    fake.on("cards", "GET", "/cards/{card_id}", lambda params, _: {**CARD, "id": params["card_id"]})
    fake.on("cards", "GET", "/broken", lambda _, __: {"id": "card_1"})
    assert (await fake.call("cards", "GET", "/cards/card_9", reply=Card)).id == "card_9"
    with pytest.raises(ServiceError) as raised:
        await fake.call("cards", "GET", "/broken", reply=Card)
    assert raised.value.code == "bad_gateway.invalid_response"


async def test_fake_sends_a_model_body_as_its_json_form() -> None:
    fake = FakeRpc()
    fake.on("balance", "POST", "/release", lambda _, body: Card(**CARD))
    answer = await fake.call("balance", "POST", "/release", json=Release(release_id="r1"))
    assert fake.calls[0].json == {"release_id": "r1"}
    assert answer == CARD


def test_field_absent_when_none_is_left_out_of_the_json() -> None:
    refused = Decision(approved=False, response_code="14")
    assert refused.model_dump_json() == '{"approved":false,"response_code":"14"}'
    approved = Decision(
        approved=True, response_code="00", authorisation_code="ABC", transaction_id="tx"
    )
    assert list(approved.model_dump()) == [
        "approved",
        "response_code",
        "authorisation_code",
        "transaction_id",
    ]
