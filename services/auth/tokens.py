"""Access and refresh tokens: issued, replaced, refreshed, verified and revoked.

Access tokens are opaque random strings, verified by asking this service (introspection)
rather than self-contained signed tokens (JWTs): a revoked token stops working at once,
everywhere, instead of at its expiry, and nothing but a hash of it is stored, so a leaked
table holds no usable token. The cost is one call per request, which the api can cache for a
few seconds when that matters.

A customer holds one live token pair per client: `current_tokens` (keyed by user and client)
names it, and every change to it is a compare-and-set. Issuing a pair replaces whatever was
there, so the previous pair stops working; a refresh swaps the pair only while its refresh
token is still the current one, so a refresh token works once even under concurrent use.

A pair issued from an authorization code carries the code's family, and so does every pair
refreshed from it. Only the current pair of a family can work, so revoking the family is one
compare-and-set on `current_tokens`: whatever the chain of refreshes, it ends there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from auth import hashing, oauth_errors
from auth.customers import get_customer
from auth.tables import CURRENT_TOKENS, TOKENS
from smartbank import ids, timeutil
from smartbank.storage import Row, TableStore

DEFAULT_CLIENT_ID = "oauth2client_smartbank_cli"
ACCESS = "access"
REFRESH = "refresh"


async def issue_token(
    store: TableStore,
    user_id: str,
    ttl: int,
    client_id: str = DEFAULT_CLIENT_ID,
    family: str = "",
) -> dict[str, Any]:
    await get_customer(store, user_id)
    pair = await _new_pair(store, user_id, client_id, ttl, family)
    key = {"user_id": user_id, "client_id": client_id}
    current = await store.get(CURRENT_TOKENS, key)
    while not await _swap(store, key, current, pair, family):
        current = await store.get(CURRENT_TOKENS, key)
    return pair


async def refresh_token(
    store: TableStore, client_id: str, refresh: str, ttl: int
) -> dict[str, Any]:
    row = await store.get(TOKENS, {"token_hash": hashing.digest(refresh)}) if refresh else None
    if row is None or row["kind"] != REFRESH or row["revoked"]:
        raise oauth_errors.invalid_grant("the refresh token is not valid")
    if row["client_id"] != client_id:
        raise oauth_errors.invalid_grant("the refresh token was issued to another client")
    key = {"user_id": row["user_id"], "client_id": client_id}
    current = await store.get(CURRENT_TOKENS, key)
    if current is None or current["refresh_hash"] != row["token_hash"]:
        raise oauth_errors.invalid_grant("the refresh token was used or replaced")
    family = row["family"] or ""
    pair = await _new_pair(store, row["user_id"], client_id, ttl, family)
    if not await _swap(store, key, current, pair, family):
        raise oauth_errors.invalid_grant("the refresh token was used or replaced")
    return pair


async def verify_token(
    store: TableStore, access_token: str, now: datetime | None = None
) -> dict[str, Any]:
    row = await _access_row(store, access_token)
    if timeutil.parse_time(row["expires_at"]) <= (now or timeutil.now()):
        raise oauth_errors.expired_access_token()
    key = {"user_id": row["user_id"], "client_id": row["client_id"]}
    current = await store.get(CURRENT_TOKENS, key)
    if current is None or current["access_hash"] != row["token_hash"]:
        raise oauth_errors.bad_access_token("the access token was replaced or revoked")
    return {
        "user_id": row["user_id"],
        "client_id": row["client_id"],
        "expires_at": row["expires_at"],
    }


async def revoke_token(store: TableStore, access_token: str) -> None:
    """Stop the token and its refresh token working; unknown tokens are ignored."""
    token_hash = hashing.digest(access_token)
    row = await store.get(TOKENS, {"token_hash": token_hash})
    if row is None or row["kind"] != ACCESS:
        return
    await store.update(TOKENS, {"token_hash": token_hash}, {"revoked": True}, if_exists=True)
    await store.update(
        CURRENT_TOKENS,
        {"user_id": row["user_id"], "client_id": row["client_id"]},
        _cleared(),
        if_={"access_hash": token_hash},
    )


async def logout(store: TableStore, access_token: str) -> None:
    """End the customer's session with this client: the token, and whatever pair a refresh
    racing this logout may have swapped in, stop working."""
    verified = await verify_token(store, access_token)
    await revoke_token(store, access_token)
    await store.update(
        CURRENT_TOKENS,
        {"user_id": verified["user_id"], "client_id": verified["client_id"]},
        _cleared(),
        if_exists=True,
    )


async def revoke_family(store: TableStore, user_id: str, client_id: str, family: str) -> None:
    """Stop every token of `family` working: clear the customer's current pair while it is
    one of the family's, however often a racing refresh swaps it first."""
    key = {"user_id": user_id, "client_id": client_id}
    current = await store.get(CURRENT_TOKENS, key) if family else None
    while current is not None and current["family"] == family:
        expected = {k: current[k] for k in ("family", "access_hash", "refresh_hash")}
        cleared = await store.update(CURRENT_TOKENS, key, _cleared(), if_=expected)
        if cleared.applied:
            await _mark_revoked(store, current["access_hash"], current["refresh_hash"])
            return
        current = cleared.current if cleared.certain else await store.get(CURRENT_TOKENS, key)


def _cleared() -> dict[str, str]:
    return {"access_hash": "", "refresh_hash": "", "family": "", "issued_at": timeutil.now_text()}


async def _mark_revoked(store: TableStore, *token_hashes: str) -> None:
    for token_hash in token_hashes:
        await store.update(TOKENS, {"token_hash": token_hash}, {"revoked": True}, if_exists=True)


async def _access_row(store: TableStore, access_token: str) -> Row:
    row = await store.get(TOKENS, {"token_hash": hashing.digest(access_token)})
    if row is None or row["kind"] != ACCESS or row["revoked"]:
        raise oauth_errors.bad_access_token()
    return row


async def _new_pair(
    store: TableStore, user_id: str, client_id: str, ttl: int, family: str
) -> dict[str, Any]:
    pair = {
        "access_token": ids.token("sbat"),
        "client_id": client_id,
        "expires_in": ttl,
        "refresh_token": ids.token("sbrt", 32),
        "token_type": "Bearer",
        "user_id": user_id,
    }
    await _store_token(store, pair, ACCESS, timeutil.later(ttl), family)
    await _store_token(store, pair, REFRESH, "", family)
    return pair


async def _store_token(
    store: TableStore, pair: dict[str, Any], kind: str, expires_at: str, family: str
) -> None:
    token = pair["access_token"] if kind == ACCESS else pair["refresh_token"]
    row = {
        "token_hash": hashing.digest(token),
        "kind": kind,
        "user_id": pair["user_id"],
        "client_id": pair["client_id"],
        "issued_at": timeutil.now_text(),
        "expires_at": expires_at,
        "revoked": False,
        "family": family,
    }
    await store.insert(TOKENS, row, if_not_exists=True)


async def _swap(
    store: TableStore,
    key: dict[str, str],
    current: Row | None,
    pair: dict[str, Any],
    family: str,
) -> bool:
    """Point the customer's current tokens at `pair`, if they still are what we read."""
    values = {
        "access_hash": hashing.digest(pair["access_token"]),
        "refresh_hash": hashing.digest(pair["refresh_token"]),
        "issued_at": timeutil.now_text(),
        "family": family,
    }
    if current is None:
        inserted = await store.insert(CURRENT_TOKENS, {**key, **values}, if_not_exists=True)
        return inserted.applied
    expected = {"access_hash": current["access_hash"], "refresh_hash": current["refresh_hash"]}
    swapped = await store.update(CURRENT_TOKENS, key, values, if_=expected)
    return swapped.applied
