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
        token = issued.json()["access_token"]

        verified = await client.post("/tokens/verify", json={"access_token": token})
        assert verified.status_code == 200
        assert set(verified.json()) == {"user_id", "client_id", "expires_at"}

        revoked = await client.post("/tokens/revoke", json={"access_token": token})
        assert (revoked.status_code, revoked.json()) == (200, {})
        refused = await client.post("/tokens/verify", json={"access_token": token})
        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthorized.bad_access_token.revoked"
        assert set(refused.json()) == {"code", "message", "params"}

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
