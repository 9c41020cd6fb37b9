from auth import main
from smartbank.testing import fake_settings, service_client


async def test_auth_api_answers_with_status_codes_and_typed_errors() -> None:
    settings = fake_settings(main.service, access_token_ttl=600)
    async with service_client(main.service, settings=settings) as client:
        created = await client.post("/customers", json={"name": "Ada"})
        assert created.status_code == 200
        user_id = created.json()["id"]
        assert (await client.get(f"/customers/{user_id}")).json() == created.json()

        issued = await client.post("/tokens", json={"user_id": user_id})
        assert issued.status_code == 200
        assert issued.json()["expires_in"] == 600
        assert issued.json()["client_id"] == "oauth2client_smartbank_cli"
        assert issued.json()["refresh_token"].startswith("sbrt_")
        token = issued.json()["access_token"]

        verified = await client.post("/tokens/verify", json={"access_token": token})
        assert verified.status_code == 200
        assert set(verified.json()) == {"user_id", "client_id", "expires_at"}

        revoked = await client.post("/tokens/revoke", json={"access_token": token})
        assert (revoked.status_code, revoked.json()) == (200, {})
        refused = await client.post("/tokens/verify", json={"access_token": token})
        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthorized.bad_access_token"
        assert refused.json()["error"] == "invalid_token"
        assert set(refused.json()) == {"code", "message", "params", "error", "error_description"}

        unknown = await client.post("/tokens/verify", json={"access_token": "sbat_x"})
        assert unknown.status_code == 401
        assert unknown.json()["code"] == "unauthorized.bad_access_token"

        stranger = await client.post("/tokens", json={"user_id": "user_missing"})
        assert stranger.status_code == 404
        assert stranger.json()["code"] == "not_found.customer"

        missing = await client.get("/customers/user_missing")
        assert missing.status_code == 404
        assert missing.json()["params"] == {"user_id": "user_missing"}

        nameless = await client.post("/customers", json={})
        assert nameless.status_code == 400
        assert nameless.json()["code"] == "bad_request.invalid_request"


async def test_auth_listings_and_clients_answer_with_typed_errors() -> None:
    async with service_client(main.service) as client:
        created = await client.post("/customers", json={"name": "Ada"})
        listed = await client.get("/customers", params={"limit": "5"})
        assert listed.json() == {"customers": [created.json()]}
        too_many = await client.get("/customers", params={"limit": "1000"})
        assert too_many.status_code == 400
        assert too_many.json()["code"] == "bad_request.invalid_limit"

        app = await client.post("/clients", json={"name": "App", "redirect_uris": ["x"]})
        assert app.status_code == 400
        assert app.json()["code"] == "bad_request.invalid_redirect_uri"
        unknown_app = await client.get("/clients/oauth2client_missing")
        assert unknown_app.status_code == 404
        assert (await client.get("/mail")).json() == {"mail": []}


async def test_public_oauth_routes_are_rate_limited_per_address_and_internal_ones_not() -> None:
    settings = fake_settings(main.service, rate_limit_per_address=0.5, rate_limit_burst=2)
    async with service_client(main.service, settings=settings) as client:
        token = [(await client.post("/oauth2/token", data={})).status_code for _ in range(3)]
        internal = [(await client.get("/customers")).status_code for _ in range(5)]
    assert token == [400, 400, 429]
    assert internal == [200] * 5
