from typing import Any

import pytest

from auth import clients, hashing
from auth.tables import CLIENTS
from auth.tests.fakes import REDIRECT_URI, expect_error
from smartbank.storage import TableStore


async def test_create_client_shows_the_secret_once_and_stores_a_salted_hash(
    store: TableStore,
) -> None:
    created = await clients.create_client(store, "Budget app", [REDIRECT_URI, REDIRECT_URI])
    assert set(created) == {"id", "name", "redirect_uris", "secret", "created"}
    assert created["id"].startswith("oauth2client_")
    assert created["redirect_uris"] == [REDIRECT_URI]
    row = await store.get(CLIENTS, {"client_id": created["id"]})
    assert row is not None and created["secret"] not in str(row)
    assert row["secret_hash"].startswith("scrypt$")
    assert await hashing.hash_secret(created["secret"]) != row["secret_hash"]
    shown = await clients.get_client(store, created["id"])
    assert shown == {k: v for k, v in created.items() if k != "secret"}


@pytest.mark.parametrize(
    ("name", "uris", "code"),
    [
        (" ", [REDIRECT_URI], "bad_request.invalid_name"),
        ("App", [], "bad_request.invalid_redirect_uri"),
        ("App", ["/callback"], "bad_request.invalid_redirect_uri"),
        ("App", ["javascript:alert(1)"], "bad_request.invalid_redirect_uri"),
        ("App", ["https://app.example.com/cb#frag"], "bad_request.invalid_redirect_uri"),
    ],
)
async def test_create_client_when_invalid_is_rejected(
    store: TableStore, name: str, uris: list[str], code: str
) -> None:
    await expect_error(code, clients.create_client(store, name, uris))


async def test_authenticate_with_the_right_secret_gives_the_client(
    store: TableStore, client: dict[str, Any]
) -> None:
    row = await clients.authenticate(store, client["id"], client["secret"])
    assert row["client_id"] == client["id"]


@pytest.mark.parametrize("which", ["secret", "id"])
async def test_authenticate_with_a_wrong_secret_or_id_is_invalid_client(
    store: TableStore, client: dict[str, Any], which: str
) -> None:
    client_id = client["id"] if which == "secret" else "oauth2client_missing"
    secret = client["secret"] + "x" if which == "secret" else client["secret"]
    error = await expect_error(
        "unauthorized.invalid_client", clients.authenticate(store, client_id, secret)
    )
    assert error.status == 401
    assert error.fields["error"] == "invalid_client"


async def test_client_for_redirect_requires_an_exact_registered_uri(
    store: TableStore, client: dict[str, Any]
) -> None:
    assert await clients.client_for_redirect(store, client["id"], REDIRECT_URI)
    for near_miss in (REDIRECT_URI + "/", REDIRECT_URI + "?x=1", REDIRECT_URI.upper()):
        await expect_error(
            "bad_request.invalid_redirect_uri",
            clients.client_for_redirect(store, client["id"], near_miss),
        )
    await expect_error(
        "bad_request.invalid_client", clients.client_for_redirect(store, "nope", REDIRECT_URI)
    )
