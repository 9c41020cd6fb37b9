"""Replayed authorization codes (RFC 6749 section 4.1.2).

A code presented again after it was redeemed has leaked, so the second use is refused and the
tokens issued from the first (and every pair refreshed from them since) are revoked.

The code and the tokens live in different partitions, so no single compare-and-set decides
it. Instead each side writes, then reads what the other wrote: a replay marks the code before
it revokes the code's family, and the exchange that redeemed the code reads that mark after
its tokens are current. Whichever lands first, one side sees the other, so no token of a
replayed code is left working, and when two exchanges race, neither answers with live tokens.
"""

from __future__ import annotations

from auth import codes, oauth_errors, tokens
from auth.tables import CODES
from smartbank import errors, ids
from smartbank.storage import Row, TableStore

MARK_ATTEMPTS = 3


async def refuse(store: TableStore, code: str) -> None:
    """After an exchange of `code` was refused: if the code had been redeemed, mark it
    replayed and revoke every token issued from it."""
    row = await _row(store, code)
    if row is None or not row["claimed_by"]:
        return
    await _mark_replayed(store, row)
    await tokens.revoke_family(store, row["user_id"], row["client_id"], row["secret_hash"])


async def check(store: TableStore, code: str) -> None:
    """After the exchange that redeemed `code` made its tokens current: if the code has been
    replayed meanwhile, revoke them and refuse."""
    row = await _row(store, code)
    if row is None or not row["replayed_by"]:
        return
    await tokens.revoke_family(store, row["user_id"], row["client_id"], row["secret_hash"])
    raise oauth_errors.invalid_grant("the code was used more than once")


async def _row(store: TableStore, code: str) -> Row | None:
    return await store.get(CODES, {"secret_hash": codes.family_of(code)}) if code else None


async def _mark_replayed(store: TableStore, row: Row) -> None:
    """The mark must be known to have landed before the family is revoked: a write whose
    outcome is unknown is sent again."""
    key = {"secret_hash": row["secret_hash"]}
    for _ in range(MARK_ATTEMPTS):
        marked = await store.update(
            CODES, key, {"replayed_by": ids.new_id("replay")}, if_exists=True
        )
        if marked.certain:
            return
    raise errors.outcome_unknown("marking the code replayed")
