from api import main
from smartbank import errors
from smartbank.settings import PlatformSettings
from smartbank.testing import FakeRpc, fake_settings, service_client


def verifying_rpc() -> FakeRpc:
    rpc = FakeRpc()

    def verify(_: dict[str, str], body: dict[str, str]) -> dict[str, str]:
        if not body["access_token"].startswith("good"):
            raise errors.unauthorized("bad_access_token", "no")
        return {"user_id": "user_" + body["access_token"], "client_id": "c", "expires_at": ""}

    rpc.on("auth", "POST", "/tokens/verify", verify)
    return rpc


def limited(**limits: float) -> PlatformSettings:
    return fake_settings(main.service, rate_limit_burst=2, **limits)


async def test_a_token_over_its_rate_gets_429_with_retry_after() -> None:
    settings = limited(rate_limit_per_token=0.5, rate_limit_per_address=0)
    async with service_client(main.service, rpc=verifying_rpc(), settings=settings) as client:
        statuses = [
            (await client.get("/ping/whoami", headers={"authorization": "Bearer good1"}))
            for _ in range(3)
        ]
        other = await client.get("/ping/whoami", headers={"authorization": "Bearer good2"})
    assert [r.status_code for r in statuses] == [200, 200, 429]
    refused = statuses[-1]
    assert refused.json()["code"] == "too_many_requests.rate_limited"
    assert int(refused.headers["retry-after"]) >= 1 and refused.headers["x-trace-id"]
    assert other.status_code == 200


async def test_an_address_over_its_rate_gets_429_even_without_a_token() -> None:
    settings = limited(rate_limit_per_token=0, rate_limit_per_address=0.5)
    async with service_client(main.service, rpc=verifying_rpc(), settings=settings) as client:
        statuses = [(await client.get("/ping/whoami")).status_code for _ in range(3)]
        health = await client.get("/healthz")
    assert statuses == [401, 401, 429]
    assert health.status_code == 200
