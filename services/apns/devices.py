from __future__ import annotations

import re
from typing import Any

from apns.tables import DEVICE_OWNERS, DEVICES
from smartbank import errors, timeutil
from smartbank.storage import Row, TableStore

ACTIVE, INVALID = "active", "invalid"
PLATFORMS = ("ios",)
_TOKEN = re.compile(r"(?:[0-9a-f]{2}){32,100}")


def checked_token(token: str) -> str:
    normalised = token.strip().lower()
    if not _TOKEN.fullmatch(normalised):
        raise errors.bad_request(
            "invalid_device_token", "a device token is 64 to 200 hex digits", token=token
        )
    return normalised


async def register(store: TableStore, *, user_id: str, token: str, platform: str) -> dict[str, Any]:
    token = checked_token(token)
    if platform not in PLATFORMS:
        raise errors.bad_request(
            "invalid_platform", f"platform must be one of {', '.join(PLATFORMS)}", platform=platform
        )
    await _take_from_previous_owner(store, token, user_id)
    existing = await store.get(DEVICES, {"user_id": user_id, "token": token})
    if existing is not None and existing["status"] == ACTIVE:
        return device_json(existing)
    if existing is not None:
        return device_json(await _reactivate(store, existing))
    now = timeutil.now_text()
    row: Row = {
        "user_id": user_id,
        "token": token,
        "platform": platform,
        "status": ACTIVE,
        "invalid_reason": None,
        "created": now,
        "updated": now,
    }
    result = await store.insert(DEVICES, row, if_not_exists=True)
    return device_json(row if result.applied else result.current or row)


async def remove(store: TableStore, *, user_id: str, token: str) -> None:
    token = checked_token(token)
    await store.delete(DEVICES, {"user_id": user_id, "token": token})
    await store.delete(DEVICE_OWNERS, {"token": token}, if_={"user_id": user_id})


async def list_devices(store: TableStore, user_id: str) -> list[dict[str, Any]]:
    return [device_json(row) for row in await store.query(DEVICES, {"user_id": user_id})]


async def active_tokens(store: TableStore, user_id: str) -> list[str]:
    rows = await store.query(DEVICES, {"user_id": user_id})
    return [row["token"] for row in rows if row["status"] == ACTIVE]


async def mark_invalid(store: TableStore, *, user_id: str, token: str, reason: str) -> None:
    await store.update(
        DEVICES,
        {"user_id": user_id, "token": token},
        {"status": INVALID, "invalid_reason": reason, "updated": timeutil.now_text()},
        if_exists=True,
    )


def device_json(row: Row) -> dict[str, Any]:
    return {
        "token": row["token"],
        "user_id": row["user_id"],
        "platform": row["platform"],
        "status": row["status"],
        "invalid_reason": row["invalid_reason"],
        "created": row["created"],
        "updated": row["updated"],
    }


async def _take_from_previous_owner(store: TableStore, token: str, user_id: str) -> None:
    owner = await store.get(DEVICE_OWNERS, {"token": token})
    if owner is not None and owner["user_id"] != user_id:
        await store.delete(DEVICES, {"user_id": owner["user_id"], "token": token})
    await store.insert(DEVICE_OWNERS, {"token": token, "user_id": user_id})


async def _reactivate(store: TableStore, row: Row) -> Row:
    changed = {"status": ACTIVE, "invalid_reason": None, "updated": timeutil.now_text()}
    await store.update(DEVICES, {"user_id": row["user_id"], "token": row["token"]}, changed)
    return {**row, **changed}
