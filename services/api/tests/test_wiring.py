from api import main
from api.tests.test_rate_limit import verifying_rpc
from smartbank.testing import assert_platform_routes, service_client

BEARER = {"authorization": "Bearer good1"}


async def test_api_answers_through_the_onion_with_typed_errors() -> None:
    rpc = verifying_rpc()
    async with service_client(main.service, rpc=rpc) as client:
        await assert_platform_routes(client)
        me = await client.get("/ping/whoami", headers=BEARER)
        assert me.status_code == 200
        assert me.json() == {"authenticated": True, "client_id": "c", "user_id": "user_good1"}

        anonymous = await client.get("/ping/whoami")
        assert anonymous.status_code == 401
        assert anonymous.json()["code"].startswith("unauthorized.")
        refused = await client.get("/ping/whoami", headers={"authorization": "Bearer bad"})
        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthorized.bad_access_token"

        no_account = await client.get("/balance", headers=BEARER)
        assert no_account.status_code == 400
        assert no_account.json()["code"].startswith("bad_request.")
        assert {"code", "message"} <= set(no_account.json())
