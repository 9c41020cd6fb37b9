from __future__ import annotations

import asyncio
import re
import secrets
from datetime import datetime

from cards.tables import CARDS, CARDS_BY_ACCOUNT, CARDS_BY_TOKEN
from smartbank import errors, ids, timeutil
from smartbank.contracts.cards import Card, UsableCard
from smartbank.storage import Row, TableStore

ACTIVE, INACTIVE, BLOCKED, EXPIRED = "ACTIVE", "INACTIVE", "BLOCKED", "EXPIRED"
STATUSES = (ACTIVE, INACTIVE, BLOCKED)
VALIDITY_YEARS = 3
MAX_ATTEMPTS = 20
_EXPIRES = re.compile(r"(0[1-9]|1[0-2])/(\d{4})")


async def create_card(
    store: TableStore, *, account_id: str, user_id: str, name: str, expires: str | None = None
) -> Card:
    expires = expires or default_expiry(timeutil.now())
    expiry_month(expires)
    row: Row = {
        "card_id": ids.new_id("card"),
        "account_id": account_id,
        "user_id": user_id,
        "processor_token": ids.token("ctok"),
        "last_digits": f"{secrets.randbelow(10_000):04d}",
        "name": name,
        "expires": expires,
        "status": ACTIVE,
        "created": timeutil.now_text(),
        "version": 1,
    }
    await store.insert(CARDS, row, if_not_exists=True)
    await store.insert(
        CARDS_BY_TOKEN, {"processor_token": row["processor_token"], "card_id": row["card_id"]}
    )
    await store.insert(CARDS_BY_ACCOUNT, {"account_id": account_id, "card_id": row["card_id"]})
    return card_json(row)


async def get_card(store: TableStore, card_id: str) -> Card:
    return card_json(await _load(store, card_id))


async def get_card_by_token(
    store: TableStore, token: str, now: datetime | None = None
) -> UsableCard:
    entry = await store.get(CARDS_BY_TOKEN, {"processor_token": token})
    row = await store.get(CARDS, {"card_id": entry["card_id"]}) if entry else None
    if row is None:
        raise errors.not_found("card", "no card with this token")
    return UsableCard(**card_fields(row), usability=usability(row, now or timeutil.now()))


async def list_cards(store: TableStore, account_id: str) -> list[Card]:
    entries = await store.query(CARDS_BY_ACCOUNT, {"account_id": account_id})
    rows = await asyncio.gather(*(store.get(CARDS, {"card_id": e["card_id"]}) for e in entries))
    return [card_json(row) for row in rows if row is not None]


async def set_status(store: TableStore, card_id: str, status: str) -> Card:
    if status not in STATUSES:
        raise errors.bad_request(
            "invalid_status", f"status must be one of {', '.join(STATUSES)}", status=status
        )
    row = await _load(store, card_id)
    for _ in range(MAX_ATTEMPTS):
        if row["status"] == status:
            return card_json(row)
        if row["status"] == BLOCKED:
            raise errors.bad_request(
                "card_blocked", "a blocked card cannot change", card_id=card_id
            )
        changed = {"status": status, "version": row["version"] + 1}
        result = await store.update(
            CARDS, {"card_id": card_id}, changed, if_={"version": row["version"]}
        )
        if result.applied:
            return card_json({**row, **changed})
        row = result.current or await _load(store, card_id)
    raise errors.conflict("card_busy", "the card is changing too often; try again", card_id=card_id)


def usability(row: Row, now: datetime) -> str:
    if row["status"] in (BLOCKED, INACTIVE):
        return str(row["status"])
    if expiry_month(row["expires"]) < (now.year, now.month):
        return EXPIRED
    return ACTIVE


def expiry_month(expires: str) -> tuple[int, int]:
    match = _EXPIRES.fullmatch(expires)
    if match is None:
        raise errors.bad_request("invalid_expires", "expires must be MM/YYYY", expires=expires)
    return int(match.group(2)), int(match.group(1))


def default_expiry(now: datetime) -> str:
    return f"{now.month:02d}/{now.year + VALIDITY_YEARS}"


def card_json(row: Row) -> Card:
    return Card(**card_fields(row))


def card_fields(row: Row) -> dict[str, str]:
    return {
        "id": row["card_id"],
        "account_id": row["account_id"],
        "user_id": row["user_id"],
        "processor_token": row["processor_token"],
        "last_digits": row["last_digits"],
        "name": row["name"],
        "expires": row["expires"],
        "status": row["status"],
        "created": row["created"],
    }


async def _load(store: TableStore, card_id: str) -> Row:
    row = await store.get(CARDS, {"card_id": card_id})
    if row is None:
        raise errors.not_found("card", f"no card {card_id}", card_id=card_id)
    return row
