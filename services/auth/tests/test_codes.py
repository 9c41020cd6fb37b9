import asyncio
from datetime import timedelta
from typing import Any

from auth import codes, hashing
from auth.codes import Grant
from auth.tables import CODES
from auth.tests.fakes import REDIRECT_URI, expect_error, interleaved
from smartbank import timeutil
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

TTL = 600
APP = "oauth2client_app"
GRANT = Grant("user_1", APP, REDIRECT_URI, "xyz")


async def redeem(store: TableStore, code: str) -> Grant:
    return await codes.redeem_code(store, code, APP, REDIRECT_URI)


async def test_redeem_code_gives_the_grant_it_was_issued_for(store: TableStore) -> None:
    code = await codes.issue_code(store, GRANT, TTL)
    assert code.startswith("sbac_")
    assert await redeem(store, code) == GRANT


async def test_issue_code_stores_only_a_hash(store: TableStore) -> None:
    code = await codes.issue_code(store, GRANT, TTL)
    assert await store.get(CODES, {"secret_hash": code}) is None
    assert await store.get(CODES, {"secret_hash": hashing.digest(code)}) is not None


async def test_redeem_code_twice_is_invalid_grant(store: TableStore) -> None:
    code = await codes.issue_code(store, GRANT, TTL)
    await redeem(store, code)
    error = await expect_error("bad_request.invalid_grant", redeem(store, code))
    assert error.fields["error"] == "invalid_grant"


async def test_redeem_code_concurrently_succeeds_exactly_once(store: TableStore) -> None:
    code = await codes.issue_code(store, GRANT, TTL)
    racing = interleaved(store)
    results = await asyncio.gather(
        *(redeem(racing, code) for _ in range(5)), return_exceptions=True
    )
    assert sum(isinstance(r, Grant) for r in results) == 1
    assert all(isinstance(r, ServiceError) for r in results if not isinstance(r, Grant))


async def test_redeem_code_after_ten_minutes_is_invalid_grant(store: TableStore) -> None:
    code = await codes.issue_code(store, GRANT, TTL)
    later = timeutil.now() + timedelta(seconds=TTL + 1)
    await expect_error(
        "bad_request.invalid_grant", codes.redeem_code(store, code, APP, REDIRECT_URI, later)
    )


async def test_redeem_code_with_another_redirect_uri_is_invalid_grant_and_keeps_the_code(
    store: TableStore,
) -> None:
    code = await codes.issue_code(store, GRANT, TTL)
    error = await expect_error(
        "bad_request.invalid_grant",
        codes.redeem_code(store, code, APP, "https://app.example.com/other"),
    )
    assert "redirect_uri" in error.message
    assert await redeem(store, code) == GRANT


async def test_redeem_code_by_another_client_is_invalid_grant(store: TableStore) -> None:
    code = await codes.issue_code(store, GRANT, TTL)
    await expect_error(
        "bad_request.invalid_grant",
        codes.redeem_code(store, code, "oauth2client_other", REDIRECT_URI),
    )


async def test_find_when_unknown_or_empty_is_none(store: TableStore) -> None:
    assert await codes.find(store, CODES, "sbac_made_up") is None
    assert await codes.find(store, CODES, "") is None


async def test_claim_of_a_claimed_row_does_not_apply(store: TableStore) -> None:
    code = await codes.issue_code(store, GRANT, TTL)
    row: Any = await codes.find(store, CODES, code)
    assert await codes.claim(store, CODES, row)
    assert not await codes.claim(store, CODES, row)
