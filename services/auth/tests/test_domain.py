import asyncio
from datetime import timedelta
from typing import Any

import pytest

from auth import domain
from auth.tables import TOKENS
from smartbank import timeutil
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

TTL = 21600


@pytest.fixture
async def customer(store: TableStore) -> dict[str, Any]:
    return await domain.create_customer(store, "Ada Lovelace", "ada@example.com")


async def expect_error(code: str, call: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        await call
    assert caught.value.code == code
    return caught.value


async def test_create_customer_returns_the_customer(store: TableStore) -> None:
    created = await domain.create_customer(store, "Ada Lovelace", "ada@example.com")
    assert set(created) == {"id", "name", "email", "created"}
    assert created["id"].startswith("user_")
    assert (created["name"], created["email"]) == ("Ada Lovelace", "ada@example.com")
    assert await domain.get_customer(store, created["id"]) == created


async def test_create_customer_without_email_has_empty_email(store: TableStore) -> None:
    assert (await domain.create_customer(store, "Ada"))["email"] == ""


@pytest.mark.parametrize(
    ("name", "email", "code"),
    [(" ", None, "bad_request.invalid_name"), ("Ada", "nope", "bad_request.invalid_email")],
)
async def test_create_customer_when_invalid_is_rejected(
    store: TableStore, name: str, email: str | None, code: str
) -> None:
    await expect_error(code, domain.create_customer(store, name, email))


async def test_create_customer_concurrently_makes_distinct_customers(store: TableStore) -> None:
    created = await asyncio.gather(*(domain.create_customer(store, "Ada") for _ in range(10)))
    assert len({c["id"] for c in created}) == 10
    for customer in created:
        assert await domain.get_customer(store, customer["id"]) == customer


async def test_get_customer_when_unknown_is_not_found(store: TableStore) -> None:
    await expect_error("not_found.customer", domain.get_customer(store, "user_missing"))


async def test_issue_token_returns_a_bearer_token(store: TableStore, customer: Any) -> None:
    issued = await domain.issue_token(store, customer["id"], TTL)
    assert issued["access_token"].startswith("sbat_")
    assert issued == {
        "access_token": issued["access_token"],
        "client_id": "oauth2client_smartbank_cli",
        "expires_in": TTL,
        "token_type": "Bearer",
        "user_id": customer["id"],
    }


async def test_issue_token_stores_only_a_hash(store: TableStore, customer: Any) -> None:
    issued = await domain.issue_token(store, customer["id"], TTL)
    assert await store.get(TOKENS, {"token_hash": issued["access_token"]}) is None
    row = await store.get(TOKENS, {"token_hash": domain.token_hash(issued["access_token"])})
    assert row is not None
    assert issued["access_token"] not in str(row.values())


async def test_issue_token_for_unknown_customer_is_not_found(store: TableStore) -> None:
    await expect_error("not_found.customer", domain.issue_token(store, "user_missing", TTL))


async def test_verify_token_names_user_client_and_expiry(store: TableStore, customer: Any) -> None:
    issued = await domain.issue_token(store, customer["id"], TTL, "oauth2client_app")
    verified = await domain.verify_token(store, issued["access_token"])
    assert verified["user_id"] == customer["id"]
    assert verified["client_id"] == "oauth2client_app"
    remaining = timeutil.parse_time(verified["expires_at"]) - timeutil.now()
    assert timedelta(seconds=TTL - 60) < remaining <= timedelta(seconds=TTL)


@pytest.mark.parametrize("token", ["sbat_made_up", "", "Bearer x"])
async def test_verify_token_when_unknown_is_unauthorized(store: TableStore, token: str) -> None:
    error = await expect_error("unauthorized.bad_access_token", domain.verify_token(store, token))
    assert error.status == 401


async def test_verify_token_after_expiry_is_expired(store: TableStore, customer: Any) -> None:
    issued = await domain.issue_token(store, customer["id"], 60)
    just_before = timeutil.now() + timedelta(seconds=55)
    assert await domain.verify_token(store, issued["access_token"], just_before)
    later = timeutil.now() + timedelta(seconds=61)
    await expect_error(
        "unauthorized.bad_access_token.expired",
        domain.verify_token(store, issued["access_token"], later),
    )


async def test_verify_token_after_revocation_is_revoked(store: TableStore, customer: Any) -> None:
    issued = await domain.issue_token(store, customer["id"], TTL)
    other = await domain.issue_token(store, customer["id"], TTL)
    await domain.revoke_token(store, issued["access_token"])
    await domain.revoke_token(store, issued["access_token"])
    await expect_error(
        "unauthorized.bad_access_token.revoked", domain.verify_token(store, issued["access_token"])
    )
    assert await domain.verify_token(store, other["access_token"])


async def test_revoke_token_when_unknown_stores_nothing(store: TableStore) -> None:
    await domain.revoke_token(store, "sbat_made_up")
    assert await store.get(TOKENS, {"token_hash": domain.token_hash("sbat_made_up")}) is None


async def test_issue_token_concurrently_gives_distinct_working_tokens(
    store: TableStore, customer: Any
) -> None:
    issued = await asyncio.gather(
        *(domain.issue_token(store, customer["id"], TTL) for _ in range(10))
    )
    assert len({t["access_token"] for t in issued}) == 10
    verified = await asyncio.gather(
        *(domain.verify_token(store, t["access_token"]) for t in issued)
    )
    assert {v["user_id"] for v in verified} == {customer["id"]}
