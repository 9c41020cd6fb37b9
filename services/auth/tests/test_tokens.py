import asyncio
from datetime import timedelta
from typing import Any

import pytest

from auth import hashing, tokens
from auth.tables import TOKENS
from auth.tests.fakes import expect_error, interleaved
from smartbank import timeutil
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

TTL = 21600
APP = "oauth2client_app"


async def outcome(call: Any) -> str:
    try:
        await call
    except ServiceError as exc:
        return exc.code
    return "ok"


async def test_issue_token_returns_a_bearer_token_pair(store: TableStore, customer: Any) -> None:
    issued = await tokens.issue_token(store, customer["id"], TTL)
    assert issued["access_token"].startswith("sbat_")
    assert issued["refresh_token"].startswith("sbrt_")
    assert issued == {
        "access_token": issued["access_token"],
        "client_id": "oauth2client_smartbank_cli",
        "expires_in": TTL,
        "refresh_token": issued["refresh_token"],
        "token_type": "Bearer",
        "user_id": customer["id"],
    }


async def test_issue_token_stores_only_hashes(store: TableStore, customer: Any) -> None:
    issued = await tokens.issue_token(store, customer["id"], TTL)
    for secret in (issued["access_token"], issued["refresh_token"]):
        assert await store.get(TOKENS, {"token_hash": secret}) is None
        row = await store.get(TOKENS, {"token_hash": hashing.digest(secret)})
        assert row is not None and secret not in str(row.values())


async def test_issue_token_for_unknown_customer_is_not_found(store: TableStore) -> None:
    await expect_error("not_found.customer", tokens.issue_token(store, "user_missing", TTL))


async def test_verify_token_names_user_client_and_expiry(store: TableStore, customer: Any) -> None:
    issued = await tokens.issue_token(store, customer["id"], TTL, APP)
    verified = await tokens.verify_token(store, issued["access_token"])
    assert (verified["user_id"], verified["client_id"]) == (customer["id"], APP)
    remaining = timeutil.parse_time(verified["expires_at"]) - timeutil.now()
    assert timedelta(seconds=TTL - 60) < remaining <= timedelta(seconds=TTL)


@pytest.mark.parametrize("token", ["sbat_made_up", "", "Bearer x"])
async def test_verify_token_when_unknown_is_unauthorized(store: TableStore, token: str) -> None:
    error = await expect_error("unauthorized.bad_access_token", tokens.verify_token(store, token))
    assert error.status == 401
    assert error.fields == {"error": "invalid_token", "error_description": error.message}


async def test_verify_token_with_a_refresh_token_is_unauthorized(
    store: TableStore, customer: Any
) -> None:
    issued = await tokens.issue_token(store, customer["id"], TTL)
    await expect_error(
        "unauthorized.bad_access_token", tokens.verify_token(store, issued["refresh_token"])
    )


async def test_verify_token_after_expiry_is_expired(store: TableStore, customer: Any) -> None:
    issued = await tokens.issue_token(store, customer["id"], 60)
    just_before = timeutil.now() + timedelta(seconds=55)
    assert await tokens.verify_token(store, issued["access_token"], just_before)
    later = timeutil.now() + timedelta(seconds=61)
    error = await expect_error(
        "unauthorized.bad_access_token.expired",
        tokens.verify_token(store, issued["access_token"], later),
    )
    assert error.fields["error"] == "invalid_token"


async def test_issue_token_replaces_the_previous_pair_for_that_client(
    store: TableStore, customer: Any
) -> None:
    first = await tokens.issue_token(store, customer["id"], TTL, APP)
    other_client = await tokens.issue_token(store, customer["id"], TTL, "oauth2client_other")
    second = await tokens.issue_token(store, customer["id"], TTL, APP)
    await expect_error(
        "unauthorized.bad_access_token", tokens.verify_token(store, first["access_token"])
    )
    await expect_error(
        "bad_request.invalid_grant", tokens.refresh_token(store, APP, first["refresh_token"], TTL)
    )
    assert await tokens.verify_token(store, second["access_token"])
    assert await tokens.verify_token(store, other_client["access_token"])


async def test_issue_token_concurrently_leaves_exactly_one_working(
    store: TableStore, customer: Any
) -> None:
    racing = interleaved(store)
    issued = await asyncio.gather(
        *(tokens.issue_token(racing, customer["id"], TTL) for _ in range(10))
    )
    assert len({t["access_token"] for t in issued}) == 10
    results = [await outcome(tokens.verify_token(store, t["access_token"])) for t in issued]
    assert sorted(results) == ["ok"] + ["unauthorized.bad_access_token"] * 9


async def test_refresh_token_gives_a_new_pair_and_retires_the_old(
    store: TableStore, customer: Any
) -> None:
    first = await tokens.issue_token(store, customer["id"], TTL, APP)
    refreshed = await tokens.refresh_token(store, APP, first["refresh_token"], TTL)
    assert refreshed["user_id"] == customer["id"] and refreshed["client_id"] == APP
    assert refreshed["access_token"] != first["access_token"]
    assert await tokens.verify_token(store, refreshed["access_token"])
    await expect_error(
        "unauthorized.bad_access_token", tokens.verify_token(store, first["access_token"])
    )


async def test_refresh_token_used_twice_is_invalid_grant(store: TableStore, customer: Any) -> None:
    first = await tokens.issue_token(store, customer["id"], TTL, APP)
    await tokens.refresh_token(store, APP, first["refresh_token"], TTL)
    error = await expect_error(
        "bad_request.invalid_grant", tokens.refresh_token(store, APP, first["refresh_token"], TTL)
    )
    assert error.fields["error"] == "invalid_grant"


async def test_refresh_token_concurrently_succeeds_exactly_once(
    store: TableStore, customer: Any
) -> None:
    first = await tokens.issue_token(store, customer["id"], TTL, APP)
    racing = interleaved(store)
    results = await asyncio.gather(
        *(outcome(tokens.refresh_token(racing, APP, first["refresh_token"], TTL)) for _ in range(5))
    )
    assert sorted(results) == ["bad_request.invalid_grant"] * 4 + ["ok"]


@pytest.mark.parametrize(
    ("client_id", "which"), [("oauth2client_other", "refresh"), (APP, "access"), (APP, "")]
)
async def test_refresh_token_when_not_this_clients_refresh_token_is_invalid_grant(
    store: TableStore, customer: Any, client_id: str, which: str
) -> None:
    issued = await tokens.issue_token(store, customer["id"], TTL, APP)
    presented = {"refresh": issued["refresh_token"], "access": issued["access_token"]}
    await expect_error(
        "bad_request.invalid_grant",
        tokens.refresh_token(store, client_id, presented.get(which, ""), TTL),
    )


async def test_revoke_token_stops_the_access_and_refresh_token(
    store: TableStore, customer: Any
) -> None:
    issued = await tokens.issue_token(store, customer["id"], TTL, APP)
    await tokens.revoke_token(store, issued["access_token"])
    await tokens.revoke_token(store, issued["access_token"])
    await expect_error(
        "unauthorized.bad_access_token", tokens.verify_token(store, issued["access_token"])
    )
    await expect_error(
        "bad_request.invalid_grant", tokens.refresh_token(store, APP, issued["refresh_token"], TTL)
    )
    renewed = await tokens.issue_token(store, customer["id"], TTL, APP)
    assert await tokens.verify_token(store, renewed["access_token"])


async def test_revoke_token_when_unknown_stores_nothing(store: TableStore) -> None:
    await tokens.revoke_token(store, "sbat_made_up")
    assert await store.get(TOKENS, {"token_hash": hashing.digest("sbat_made_up")}) is None


async def test_logout_when_expired_is_expired(store: TableStore, customer: Any) -> None:
    issued = await tokens.issue_token(store, customer["id"], 60)
    await store.update(
        TOKENS,
        {"token_hash": hashing.digest(issued["access_token"])},
        {"expires_at": timeutil.later(-1)},
    )
    await expect_error(
        "unauthorized.bad_access_token.expired", tokens.logout(store, issued["access_token"])
    )


async def test_logout_racing_a_refresh_leaves_no_working_token(
    store: TableStore, customer: Any
) -> None:
    issued = await tokens.issue_token(store, customer["id"], TTL, APP)
    racing = interleaved(store)
    refreshed, _ = await asyncio.gather(
        tokens.refresh_token(racing, APP, issued["refresh_token"], TTL),
        tokens.logout(racing, issued["access_token"]),
        return_exceptions=True,
    )
    for access in (
        issued["access_token"],
        getattr(refreshed, "get", lambda _: None)("access_token"),
    ):
        if access:
            await expect_error("unauthorized.bad_access_token", tokens.verify_token(store, access))
