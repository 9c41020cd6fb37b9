import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest

from auth import codes, grants, tokens
from auth.codes import Grant
from auth.tables import CODES, CURRENT_TOKENS
from auth.tests.fakes import REDIRECT_URI, expect_error, interleaved
from smartbank.errors import ServiceError
from smartbank.storage import Table, TableStore

TTL = 21600
INVALID_GRANT = "bad_request.invalid_grant"


async def code_request(store: TableStore, client: dict[str, Any], user_id: str) -> Any:
    code = await codes.issue_code(store, Grant(user_id, client["id"], REDIRECT_URI), 600)
    return grants.TokenRequest(
        grant_type="authorization_code",
        client_id=client["id"],
        client_secret=client["secret"],
        redirect_uri=REDIRECT_URI,
        code=code,
    )


def refresh_request(client: dict[str, Any], pair: dict[str, Any]) -> Any:
    return grants.TokenRequest(
        grant_type="refresh_token",
        client_id=client["id"],
        client_secret=client["secret"],
        refresh_token=pair["refresh_token"],
    )


async def assert_dead(store: TableStore, client: dict[str, Any], pair: dict[str, Any]) -> None:
    await expect_error(
        "unauthorized.bad_access_token", tokens.verify_token(store, pair["access_token"])
    )
    await expect_error(INVALID_GRANT, grants.exchange(store, refresh_request(client, pair), TTL))


class Hooked:
    """Runs `then` once, right after the first write that `when` picks has landed."""

    def __init__(self, inner: TableStore, when: Callable[..., bool], then: Any) -> None:
        self.inner, self.when, self.then = inner, when, then

    def __getattr__(self, name: str) -> Any:
        write = getattr(self.inner, name)
        if name not in ("insert", "update"):
            return write

        async def hooked(table: Table, *args: Any, **kwargs: Any) -> Any:
            result = await write(table, *args, **kwargs)
            if self.then is not None and self.when(table, *args):
                then, self.then = self.then, None
                await then()
            return result

        return hooked


def claimed(table: Table, *args: Any) -> bool:
    return table is CODES and "claimed_by" in args[-1]


def made_current(table: Table, *args: Any) -> bool:
    return table is CURRENT_TOKENS and bool(args[-1].get("access_hash"))


async def test_exchange_of_a_used_code_revokes_the_tokens_of_its_first_exchange(
    store: TableStore, client: dict[str, Any], customer: dict[str, Any]
) -> None:
    request = await code_request(store, client, customer["id"])
    first = await grants.exchange(store, request, TTL)
    assert (await tokens.verify_token(store, first["access_token"]))["user_id"] == customer["id"]
    error = await expect_error(INVALID_GRANT, grants.exchange(store, request, TTL))
    assert error.fields["error"] == "invalid_grant"
    await assert_dead(store, client, first)


async def test_exchange_of_a_used_code_revokes_the_tokens_refreshed_since(
    store: TableStore, client: dict[str, Any], customer: dict[str, Any]
) -> None:
    request = await code_request(store, client, customer["id"])
    pairs = [await grants.exchange(store, request, TTL)]
    for _ in range(3):
        pairs.append(await grants.exchange(store, refresh_request(client, pairs[-1]), TTL))
    await tokens.verify_token(store, pairs[-1]["access_token"])
    await expect_error(INVALID_GRANT, grants.exchange(store, request, TTL))
    for pair in pairs:
        await assert_dead(store, client, pair)


async def test_exchange_of_a_used_code_leaves_a_later_login_working(
    store: TableStore, client: dict[str, Any], customer: dict[str, Any]
) -> None:
    stolen = await code_request(store, client, customer["id"])
    await grants.exchange(store, stolen, TTL)
    later = await grants.exchange(store, await code_request(store, client, customer["id"]), TTL)
    await expect_error(INVALID_GRANT, grants.exchange(store, stolen, TTL))
    assert (await tokens.verify_token(store, later["access_token"]))["user_id"] == customer["id"]


async def test_exchange_with_a_wrong_redirect_of_an_unused_code_revokes_nothing(
    store: TableStore, client: dict[str, Any], customer: dict[str, Any]
) -> None:
    issued = await tokens.issue_token(store, customer["id"], TTL, client["id"])
    request = await code_request(store, client, customer["id"])
    wrong = request.model_copy(update={"redirect_uri": "https://app.example.com/other"})
    await expect_error(INVALID_GRANT, grants.exchange(store, wrong, TTL))
    await tokens.verify_token(store, issued["access_token"])
    await grants.exchange(store, request, TTL)


@pytest.mark.parametrize("when", [claimed, made_current], ids=["after_claim", "after_swap"])
async def test_replay_landing_inside_the_first_exchange_leaves_it_no_working_token(
    store: TableStore, client: dict[str, Any], customer: dict[str, Any], when: Any
) -> None:
    request = await code_request(store, client, customer["id"])
    replays: list[Any] = []

    async def replay() -> None:
        replays.append(await outcome(grants.exchange(store, request, TTL)))

    hooked = cast(TableStore, Hooked(store, when, replay))
    await expect_error(INVALID_GRANT, grants.exchange(hooked, request, TTL))
    assert replays == [INVALID_GRANT]
    current = await store.get(
        CURRENT_TOKENS, {"user_id": customer["id"], "client_id": client["id"]}
    )
    assert current is not None and current["access_hash"] == current["refresh_hash"] == ""


async def test_exchanges_of_one_code_racing_leave_at_most_one_pair_and_it_dead(
    store: TableStore, client: dict[str, Any], customer: dict[str, Any]
) -> None:
    request = await code_request(store, client, customer["id"])
    racing = interleaved(store)
    results = await asyncio.gather(
        *(outcome(grants.exchange(racing, request, TTL)) for _ in range(3))
    )
    issued = [r for r in results if isinstance(r, dict)]
    assert len(issued) <= 1 and results.count(INVALID_GRANT) == len(results) - len(issued)
    for pair in issued:
        await assert_dead(store, client, pair)


async def outcome(call: Awaitable[dict[str, Any]]) -> dict[str, Any] | str:
    try:
        return await call
    except ServiceError as exc:
        return exc.code
