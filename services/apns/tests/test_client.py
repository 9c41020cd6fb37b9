import json
import time
import uuid

import httpx
import jwt
import pytest

from apns.client import FAILED, LEASE_MARGIN_SECONDS, REJECTED, SENT

TOKEN = "0123456789abcdef" * 4
PAYLOAD = {"aps": {"alert": {"title": "Coffee", "body": "£3.50"}}, "feed_item_id": "feed_1"}


async def test_send_posts_the_apns_request_format(apns_client, fake_apns, signing_key) -> None:
    outcome = await apns_client.send(TOKEN, PAYLOAD)
    [request] = fake_apns.requests
    assert request.method == "POST"
    assert str(request.url) == f"https://api.sandbox.push.apple.com/3/device/{TOKEN}"
    assert request.headers["apns-topic"] == "dev.smartbank.app"
    assert request.headers["apns-push-type"] == "alert"
    assert request.headers["apns-priority"] == "10"
    assert uuid.UUID(request.headers["apns-id"]).version == 4
    expiration = int(request.headers["apns-expiration"])
    assert abs(expiration - (time.time() + 24 * 3600)) < 5
    scheme, bearer = request.headers["authorization"].split(" ")
    assert scheme == "bearer"
    claims = jwt.decode(bearer, signing_key.public_key(), algorithms=["ES256"])
    assert claims["iss"] == "TEAM123456"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == PAYLOAD
    assert outcome.status == SENT and outcome.status_code == 200 and outcome.attempts == 1
    assert outcome.apns_id == request.headers["apns-id"]


async def test_send_with_configured_topic_and_endpoint_uses_them(make_client, fake_apns) -> None:
    client = make_client(apns_endpoint="https://api.push.apple.com", apns_topic="com.bank.app")
    await client.send(TOKEN, PAYLOAD)
    [request] = fake_apns.requests
    assert request.url.host == "api.push.apple.com"
    assert request.headers["apns-topic"] == "com.bank.app"


async def test_send_after_transient_failures_retries_with_the_same_id(
    apns_client, fake_apns
) -> None:
    fake_apns.script(
        TOKEN, (503, "ServiceUnavailable"), (429, "TooManyRequests"), httpx.ConnectError("x"), 200
    )
    outcome = await apns_client.send(TOKEN, PAYLOAD)
    assert outcome.status == SENT and outcome.attempts == 4
    assert len({r.headers["apns-id"] for r in fake_apns.requests}) == 1
    assert len(fake_apns.requests) == 4


async def test_send_when_server_keeps_failing_gives_up_after_the_attempts(
    make_client, fake_apns
) -> None:
    fake_apns.script(TOKEN, (500, "InternalServerError"))
    outcome = await make_client(apns_attempts=3).send(TOKEN, PAYLOAD)
    assert (outcome.status, outcome.status_code, outcome.reason) == (
        FAILED,
        500,
        "InternalServerError",
    )
    assert outcome.attempts == 3 and len(fake_apns.requests) == 3


async def test_send_when_it_keeps_timing_out_fails_without_a_status(apns_client, fake_apns) -> None:
    fake_apns.script(TOKEN, httpx.ReadTimeout("slow"))
    outcome = await apns_client.send(TOKEN, PAYLOAD)
    assert (outcome.status, outcome.status_code, outcome.reason) == (FAILED, None, "ReadTimeout")
    assert outcome.attempts == 5 and len(fake_apns.requests) == 5


async def test_send_between_attempts_backs_off_exponentially(make_client, fake_apns) -> None:
    fake_apns.script(TOKEN, 503, 503, 200)
    client = make_client(apns_retry_wait_seconds=0.05, apns_retry_max_wait_seconds=1)
    started = time.monotonic()
    assert (await client.send(TOKEN, PAYLOAD)).status == SENT
    assert time.monotonic() - started >= 0.05 + 0.1


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ((400, "BadDeviceToken"), REJECTED),
        ((410, "Unregistered"), REJECTED),
        ((410, "ExpiredToken"), REJECTED),
        ((400, "DeviceTokenNotForTopic"), FAILED),
        ((400, "BadTopic"), FAILED),
        ((413, "PayloadTooLarge"), FAILED),
        ((403, "InvalidProviderToken"), FAILED),
    ],
)
async def test_send_when_apns_refuses_does_not_retry(apns_client, fake_apns, answer, status):
    fake_apns.script(TOKEN, answer)
    outcome = await apns_client.send(TOKEN, PAYLOAD)
    assert (outcome.status, outcome.status_code, outcome.reason) == (status, *answer)
    assert len(fake_apns.requests) == 1


async def test_send_after_auth_error_signs_a_new_token_once_allowed(
    apns_client, fake_apns, clock
) -> None:
    fake_apns.script(TOKEN, (403, "ExpiredProviderToken"), 200)
    await apns_client.send(TOKEN, PAYLOAD)
    clock.now += 20 * 60
    await apns_client.send(TOKEN, PAYLOAD)
    first, second = (r.headers["authorization"] for r in fake_apns.requests)
    assert first != second


async def test_lease_covers_a_wait_and_one_attempt(make_client) -> None:
    client = make_client(apns_timeout_seconds=10)
    assert client.lease_seconds() == 10 + LEASE_MARGIN_SECONDS
    assert client.lease_seconds(4.0) == 4 + 10 + LEASE_MARGIN_SECONDS


async def test_send_runs_before_retry_with_each_wait(make_client, fake_apns) -> None:
    fake_apns.script(TOKEN, (503, "ServiceUnavailable"), (503, "ServiceUnavailable"), 200)
    waits: list[float] = []

    async def before_retry(wait: float) -> None:
        waits.append(wait)

    client = make_client(apns_retry_wait_seconds=0.001, apns_retry_max_wait_seconds=0.01)
    outcome = await client.send(TOKEN, PAYLOAD, before_retry=before_retry)
    assert outcome.status == SENT and len(waits) == 2 and waits[1] >= waits[0] > 0


async def test_send_ends_when_before_retry_raises(apns_client, fake_apns) -> None:
    fake_apns.script(TOKEN, (503, "ServiceUnavailable"), 200)

    async def before_retry(wait: float) -> None:
        raise LookupError("the claim is gone")

    with pytest.raises(LookupError):
        await apns_client.send(TOKEN, PAYLOAD, before_retry=before_retry)
    assert len(fake_apns.requests) == 1
