import asyncio
import json
import select
import socket
import subprocess
import sys
import time

import httpx
import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import ec

from apns.client import REJECTED, SENT, ApnsClient, Outcome
from apns.provider_token import ProviderToken
from apns.settings import Settings
from smartbank.local import push_sink as sink

TOKEN = "0123456789abcdef" * 4
GONE = "d" * 64
PAYLOAD = {"aps": {"alert": {"title": "Coffee", "body": "£3.50"}, "thread-id": "acc_1"}}
KEY = ec.generate_private_key(ec.SECP256R1())


def bearer(iat: float | None = None, kid: str | None = "KEY1234567", alg: str = "ES256") -> str:
    claims = {"iss": "TEAM123456", "iat": int(iat if iat is not None else time.time())}
    headers = {"kid": kid} if kid else {}
    key = KEY if alg == "ES256" else "a-shared-secret-of-thirty-two-bytes"
    return "bearer " + jwt.encode(claims, key, algorithm=alg, headers=headers)


def good_headers(**changes: str | None) -> dict[str, str]:
    headers = {
        "authorization": bearer(),
        "apns-topic": "dev.smartbank.app",
        "apns-push-type": "alert",
        "apns-priority": "10",
        "apns-expiration": "0",
        **changes,
    }
    return {k: v for k, v in headers.items() if v is not None}


@pytest.fixture
async def sink_http(tmp_path):
    app = sink.create_app(tmp_path / "pushes.jsonl", unregistered=[GONE])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sink") as http:
        yield http


async def test_push_accepted_is_recorded_and_answered_with_an_id(sink_http, tmp_path) -> None:
    response = await sink_http.post(
        f"/3/device/{TOKEN}", json=PAYLOAD, headers=good_headers(**{"apns-id": "id-1"})
    )
    assert response.status_code == 200 and response.headers["apns-id"] == "id-1"
    [record] = sink.read_pushes(tmp_path / "pushes.jsonl")
    assert record["token"] == TOKEN and record["apns_id"] == "id-1"
    assert record["payload"] == PAYLOAD
    assert record["headers"] == {
        "apns-topic": "dev.smartbank.app",
        "apns-push-type": "alert",
        "apns-priority": "10",
        "apns-expiration": "0",
    }


@pytest.mark.parametrize(
    ("token", "headers", "body", "status", "reason"),
    [
        ("not-hex" * 10, {}, PAYLOAD, 400, "BadDeviceToken"),
        ("ab" * 16, {}, PAYLOAD, 400, "BadDeviceToken"),
        (TOKEN, {"authorization": None}, PAYLOAD, 403, "MissingProviderToken"),
        (TOKEN, {"authorization": "bearer not.a.jwt"}, PAYLOAD, 403, "InvalidProviderToken"),
        (TOKEN, {"authorization": bearer()[7:]}, PAYLOAD, 403, "InvalidProviderToken"),
        (TOKEN, {"authorization": bearer(kid=None)}, PAYLOAD, 403, "InvalidProviderToken"),
        (TOKEN, {"authorization": bearer(alg="HS256")}, PAYLOAD, 403, "InvalidProviderToken"),
        (
            TOKEN,
            {"authorization": bearer(time.time() - 3700)},
            PAYLOAD,
            403,
            "ExpiredProviderToken",
        ),
        (TOKEN, {"apns-topic": None}, PAYLOAD, 400, "MissingTopic"),
        (TOKEN, {}, {"aps": {"sound": "default"}}, 400, "PayloadEmpty"),
        (TOKEN, {}, {"alert": "no aps"}, 400, "PayloadEmpty"),
        (TOKEN, {}, "not json", 400, "PayloadEmpty"),
        (TOKEN, {}, {"aps": {"alert": "x" * 5000}}, 413, "PayloadTooLarge"),
        (GONE, {}, PAYLOAD, 410, "Unregistered"),
    ],
)
async def test_push_invalid_is_refused_like_apns(
    sink_http, tmp_path, token, headers, body, status, reason
) -> None:
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response = await sink_http.post(
        f"/3/device/{token}", content=content, headers=good_headers(**headers)
    )
    assert (response.status_code, response.json()["reason"]) == (status, reason)
    assert sink.read_pushes(tmp_path / "pushes.jsonl") == []


async def test_push_to_unregistered_token_says_since_when(sink_http) -> None:
    response = await sink_http.post(f"/3/device/{GONE}", json=PAYLOAD, headers=good_headers())
    assert abs(response.json()["timestamp"] - time.time() * 1000) < 60_000


async def test_get_pushes_filters_by_account(sink_http) -> None:
    other = {"aps": {"alert": {"title": "Hi"}, "thread-id": "acc_2"}}
    for payload in (PAYLOAD, other, PAYLOAD):
        await sink_http.post(f"/3/device/{TOKEN}", json=payload, headers=good_headers())
    mine = (await sink_http.get("/pushes", params={"account_id": "acc_1"})).json()["pushes"]
    everyone = (await sink_http.get("/pushes")).json()["pushes"]
    assert [p["payload"] for p in mine] == [PAYLOAD, PAYLOAD]
    assert len(everyone) == 3


def test_read_pushes_skips_broken_lines_and_missing_files(tmp_path) -> None:
    assert sink.read_pushes(tmp_path / "absent.jsonl") == []
    file = tmp_path / "pushes.jsonl"
    good = {"token": TOKEN, "payload": PAYLOAD}
    file.write_text(json.dumps(good) + "\n{half a line\n[]\n\n")
    assert sink.read_pushes(file) == [good]
    assert sink.read_pushes(str(file), account_id="acc_9") == []


async def test_apns_client_against_the_sink_is_accepted_or_rejected(tmp_path) -> None:
    settings = Settings(apns_endpoint="http://sink", apns_retry_wait_seconds=0)
    app = sink.create_app(tmp_path / "pushes.jsonl", unregistered=[GONE])
    http = httpx.AsyncClient(base_url="http://sink", transport=httpx.ASGITransport(app=app))
    client = ApnsClient(settings, ProviderToken.from_settings(settings), http)
    try:
        sent = await client.send(TOKEN, PAYLOAD)
        gone = await client.send(GONE, PAYLOAD)
    finally:
        await client.aclose()
    assert (sent.status, gone.status, gone.reason) == (SENT, REJECTED, "Unregistered")
    [record] = sink.read_pushes(tmp_path / "pushes.jsonl", account_id="acc_1")
    assert record["apns_id"] == sent.apns_id


@pytest.fixture
async def sink_url(tmp_path):
    config = uvicorn.Config(
        sink.create_app(tmp_path / "pushes.jsonl"), host="127.0.0.1", port=0, log_level="error"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def sent_once(url: str) -> Outcome:
    """One push from an apns client configured as the services configure it."""
    client = ApnsClient.from_settings(Settings(apns_endpoint=url))
    try:
        outcome = await client.send(TOKEN, PAYLOAD)
    finally:
        await client.aclose()
    assert (outcome.status, outcome.status_code) == (SENT, 200)
    return outcome


async def test_apns_client_from_settings_reaches_a_plain_http_sink(sink_url, tmp_path) -> None:
    outcome = await sent_once(sink_url)
    assert [r["apns_id"] for r in sink.read_pushes(tmp_path / "pushes.jsonl")] == [outcome.apns_id]


def test_sink_command_line_names_its_options() -> None:
    argv = [sys.executable, "-m", "smartbank.local.push_sink", "--help"]
    shown = subprocess.run(argv, capture_output=True, text=True, check=True)
    assert "--port" in shown.stdout and "--file" in shown.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_listener(port: int, seconds: float = 15.0) -> None:
    give_up = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.05)


@pytest.fixture
def sink_on_stdout():
    """The sink as the dev cluster runs it (`kubectl logs deploy/push-sink`): its file is
    /dev/stdout, and stdout is a pipe."""
    port = free_port()
    argv = [sys.executable, "-m", "smartbank.local.push_sink", "--port", str(port)]
    process = subprocess.Popen([*argv, "--file", "/dev/stdout"], stdout=subprocess.PIPE)
    try:
        wait_for_listener(port)
        yield f"http://127.0.0.1:{port}", process.stdout
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_push_accepted_is_a_line_on_stdout_when_the_file_is_dev_stdout(
    sink_on_stdout,
) -> None:
    url, stdout = sink_on_stdout
    outcome = await sent_once(url)
    readable, _, _ = select.select([stdout], [], [], 10)
    record = json.loads(stdout.readline()) if readable else None
    assert record is not None, "the sink wrote nothing to its stdout"
    assert (record["apns_id"], record["payload"]) == (outcome.apns_id, PAYLOAD)
