"""OAuth clients: confidential apps with a secret and the exact redirect URIs they may use."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from auth import hashing, oauth_errors
from auth.tables import CLIENTS
from smartbank import errors, ids, timeutil
from smartbank.errors import ServiceError
from smartbank.storage import Row, TableStore


async def create_client(store: TableStore, name: str, redirect_uris: list[str]) -> dict[str, Any]:
    if not name.strip():
        raise errors.bad_request("invalid_name", "a client needs a name")
    if not redirect_uris:
        raise errors.bad_request("invalid_redirect_uri", "give at least one redirect URI")
    for uri in redirect_uris:
        check_redirect_uri(uri)
    secret = ids.token("sbcs", 32)
    row = {
        "client_id": ids.new_id("oauth2client"),
        "name": name.strip(),
        "redirect_uris": list(dict.fromkeys(redirect_uris)),
        "secret_hash": await hashing.hash_secret(secret),
        "created": timeutil.now_text(),
    }
    await store.insert(CLIENTS, row, if_not_exists=True)
    return {**client_json(row), "secret": secret}


def check_redirect_uri(uri: str) -> None:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise errors.bad_request(
            "invalid_redirect_uri", "a redirect URI is an absolute http(s) URL", redirect_uri=uri
        )


async def get_client(store: TableStore, client_id: str) -> dict[str, Any]:
    return client_json(await find_client(store, client_id))


async def find_client(store: TableStore, client_id: str) -> Row:
    row = await store.get(CLIENTS, {"client_id": client_id}) if client_id else None
    if row is None:
        raise errors.not_found("client", f"no client {client_id}", client_id=client_id)
    return row


async def client_for_redirect(store: TableStore, client_id: str, redirect_uri: str) -> Row:
    """The client, when `redirect_uri` is one it registered, to the letter."""
    try:
        row = await find_client(store, client_id)
    except ServiceError:
        raise errors.bad_request("invalid_client", "unknown client_id") from None
    if redirect_uri not in row["redirect_uris"]:
        raise errors.bad_request(
            "invalid_redirect_uri", "redirect_uri is not registered for this client"
        )
    return row


async def authenticate(store: TableStore, client_id: str, secret: str) -> Row:
    row = await store.get(CLIENTS, {"client_id": client_id}) if client_id else None
    if row is None or not await hashing.secret_matches(secret, row["secret_hash"]):
        raise oauth_errors.invalid_client()
    return row


def client_json(row: Row) -> dict[str, Any]:
    return {
        "id": row["client_id"],
        "name": row["name"],
        "redirect_uris": row["redirect_uris"],
        "created": row["created"],
    }
