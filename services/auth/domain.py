"""Customers, and access tokens the api checks on every request.

Access tokens are opaque random strings, verified by asking this service (introspection)
rather than self-contained signed tokens (JWTs): a revoked token stops working at once,
everywhere, instead of at its expiry, and nothing but a hash of it is stored, so a leaked
table holds no usable token. The cost is one call per request, which the api can cache for a
few seconds when that matters.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from auth.tables import CUSTOMERS, TOKENS
from smartbank import errors, ids, timeutil
from smartbank.storage import Row, TableStore

DEFAULT_CLIENT_ID = "oauth2client_smartbank_cli"
ACCESS = "access"


async def create_customer(store: TableStore, name: str, email: str | None = None) -> dict[str, Any]:
    if not name.strip():
        raise errors.bad_request("invalid_name", "a customer needs a name")
    if email and "@" not in email:
        raise errors.bad_request("invalid_email", "not an email address", email=email)
    row = {
        "user_id": ids.new_id("user"),
        "name": name.strip(),
        "email": email or "",
        "created": timeutil.now_text(),
    }
    await store.insert(CUSTOMERS, row, if_not_exists=True)
    return customer_json(row)


async def get_customer(store: TableStore, user_id: str) -> dict[str, Any]:
    row = await store.get(CUSTOMERS, {"user_id": user_id})
    if row is None:
        raise errors.not_found("customer", f"no customer {user_id}", user_id=user_id)
    return customer_json(row)


async def issue_token(
    store: TableStore, user_id: str, ttl: int, client_id: str = DEFAULT_CLIENT_ID
) -> dict[str, Any]:
    await get_customer(store, user_id)
    issued = timeutil.now()
    access_token = ids.token("sbat")
    row = {
        "token_hash": token_hash(access_token),
        "kind": ACCESS,
        "user_id": user_id,
        "client_id": client_id,
        "issued_at": timeutil.format_time(issued),
        "expires_at": timeutil.format_time(issued + timedelta(seconds=ttl)),
        "revoked": False,
    }
    await store.insert(TOKENS, row, if_not_exists=True)
    return {
        "access_token": access_token,
        "client_id": client_id,
        "expires_in": ttl,
        "token_type": "Bearer",
        "user_id": user_id,
    }


async def verify_token(
    store: TableStore, access_token: str, now: datetime | None = None
) -> dict[str, Any]:
    row = await store.get(TOKENS, {"token_hash": token_hash(access_token)})
    if row is None or row["kind"] != ACCESS:
        raise errors.unauthorized("bad_access_token", "the access token is not valid")
    if row["revoked"]:
        raise errors.unauthorized("bad_access_token.revoked", "the access token was revoked")
    if timeutil.parse_time(row["expires_at"]) <= (now or timeutil.now()):
        raise errors.unauthorized("bad_access_token.expired", "the access token has expired")
    return {
        "user_id": row["user_id"],
        "client_id": row["client_id"],
        "expires_at": row["expires_at"],
    }


async def revoke_token(store: TableStore, access_token: str) -> None:
    await store.update(
        TOKENS, {"token_hash": token_hash(access_token)}, {"revoked": True}, if_exists=True
    )


def token_hash(access_token: str) -> str:
    return hashlib.sha256(access_token.encode()).hexdigest()


def customer_json(row: Row) -> dict[str, Any]:
    return {
        "id": row["user_id"],
        "name": row["name"],
        "email": row["email"],
        "created": row["created"],
    }
