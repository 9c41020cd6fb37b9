from typing import Any

import pytest

from auth import codes, grants
from auth.codes import Grant
from auth.tests.fakes import REDIRECT_URI, expect_error, failing
from smartbank import errors
from smartbank.storage import TableStore

TTL = 21600


async def code_request(store: TableStore, client: dict[str, Any], user_id: str) -> Any:
    code = await codes.issue_code(store, Grant(user_id, client["id"], REDIRECT_URI), 600)
    return grants.TokenRequest(
        grant_type="authorization_code",
        client_id=client["id"],
        client_secret=client["secret"],
        redirect_uri=REDIRECT_URI,
        code=code,
    )


async def test_exchange_gives_tokens_for_a_code(
    store: TableStore, client: dict[str, Any], customer: dict[str, Any]
) -> None:
    request = await code_request(store, client, customer["id"])
    issued = await grants.exchange(store, request, TTL)
    assert (issued["user_id"], issued["client_id"]) == (customer["id"], client["id"])


async def test_exchange_when_the_customer_is_gone_is_invalid_grant(
    store: TableStore, client: dict[str, Any]
) -> None:
    request = await code_request(store, client, "user_gone")
    error = await expect_error("bad_request.invalid_grant", grants.exchange(store, request, TTL))
    assert error.status == 400
    assert error.fields["error"] == "invalid_grant" and error.fields["error_description"]


@pytest.mark.parametrize(
    ("raised", "code", "oauth_error"),
    [
        (RuntimeError("disk on fire"), "internal_service.server_error", "server_error"),
        (errors.unavailable("store", "the store is down"), "unavailable.store", "server_error"),
        (errors.conflict("race", "lost a race"), "conflict.race", "invalid_request"),
    ],
)
async def test_exchange_when_the_store_fails_carries_an_oauth_error(
    store: TableStore,
    client: dict[str, Any],
    customer: dict[str, Any],
    raised: Exception,
    code: str,
    oauth_error: str,
) -> None:
    request = await code_request(store, client, customer["id"])
    broken = failing(store, "insert", raised)
    error = await expect_error(code, grants.exchange(broken, request, TTL))
    assert error.fields["error"] == oauth_error and error.fields["error_description"]
    assert "disk on fire" not in error.fields["error_description"]
