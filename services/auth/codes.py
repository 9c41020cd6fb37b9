"""One-time secrets: authorization codes and login links.

Each is a random string stored only as its hash, bound to a customer, a client and a redirect
URI, short-lived, and single use: redeeming it is a compare-and-set that claims the row, so of
two concurrent redemptions exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from auth import hashing, oauth_errors
from auth.tables import CODES
from smartbank import ids, timeutil
from smartbank.storage import Row, Table, TableStore


@dataclass(frozen=True)
class Grant:
    """Who logged in, for which client, and where the answer goes."""

    user_id: str
    client_id: str
    redirect_uri: str
    state: str = ""


async def create(store: TableStore, table: Table, prefix: str, ttl: int, grant: Grant) -> str:
    secret = ids.token(prefix, 32)
    row = {
        "secret_hash": hashing.digest(secret),
        "user_id": grant.user_id,
        "client_id": grant.client_id,
        "redirect_uri": grant.redirect_uri,
        "state": grant.state,
        "expires_at": timeutil.later(ttl),
        "claimed_by": "",
        "replayed_by": "",
    }
    await store.insert(table, row, if_not_exists=True)
    return secret


async def find(
    store: TableStore, table: Table, secret: str, now: datetime | None = None
) -> Row | None:
    """The row of a secret that is unused and unexpired, else None."""
    row = await store.get(table, {"secret_hash": hashing.digest(secret)}) if secret else None
    if row is None or row["claimed_by"]:
        return None
    if timeutil.parse_time(row["expires_at"]) <= (now or timeutil.now()):
        return None
    return row


async def claim(store: TableStore, table: Table, row: Row) -> bool:
    claimed = await store.update(
        table,
        {"secret_hash": row["secret_hash"]},
        {"claimed_by": ids.new_id("claim")},
        if_={"claimed_by": ""},
    )
    return claimed.applied


def grant_of(row: Row) -> Grant:
    return Grant(row["user_id"], row["client_id"], row["redirect_uri"], row["state"])


def family_of(code: str) -> str:
    """What every token issued from `code`, and refreshed from those, carries: the code's hash,
    so a replay of the code can name them."""
    return hashing.digest(code)


async def issue_code(store: TableStore, grant: Grant, ttl: int) -> str:
    return await create(store, CODES, "sbac", ttl, grant)


async def redeem_code(
    store: TableStore, code: str, client_id: str, redirect_uri: str, now: datetime | None = None
) -> Grant:
    row = await find(store, CODES, code, now)
    if row is None:
        raise oauth_errors.invalid_grant("the code is unknown, used or expired")
    if row["client_id"] != client_id:
        raise oauth_errors.invalid_grant("the code was issued to another client")
    if row["redirect_uri"] != redirect_uri:
        raise oauth_errors.invalid_grant("redirect_uri does not match the authorization request")
    if not await claim(store, CODES, row):
        raise oauth_errors.invalid_grant("the code is unknown, used or expired")
    return grant_of(row)
