from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from apns import devices
from apns.client import REJECTED, SENT, ApnsClient, Outcome
from apns.tables import PUSH_CLAIMS, PUSHES
from smartbank import errors, ids, timeutil
from smartbank.errors import ServiceError
from smartbank.storage import Row, TableStore

log = logging.getLogger(__name__)

REQUIRED_FIELDS = ("id", "account_id", "user_id", "title")
MAX_TITLE, MAX_BODY = 120, 600


async def on_feed_item_created(
    event_id: str, item: Mapping[str, Any], *, store: TableStore, apns: ApnsClient
) -> list[dict[str, Any]]:
    missing = [name for name in REQUIRED_FIELDS if not item.get(name)]
    if missing:
        raise errors.bad_request(
            "invalid_feed_item", "the feed item lacks what a push needs", missing=missing
        )
    tokens = await devices.active_tokens(store, item["user_id"])
    outcomes = await asyncio.gather(
        *(_push(event_id, item, t, store, apns) for t in tokens), return_exceptions=True
    )
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    if failed:  # every device had its try; the event is retried for the ones that failed
        raise failed[0]
    return [push for push in outcomes if isinstance(push, dict)]


async def list_pushes(store: TableStore, account_id: str, limit: int) -> list[dict[str, Any]]:
    rows = await store.query(PUSHES, {"account_id": account_id}, limit=limit, descending=True)
    return [push_json(row) for row in rows]


def payload(item: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "aps": {
            "alert": {
                "title": _clip(item["title"], MAX_TITLE),
                "body": _clip(item.get("body") or "", MAX_BODY),
            },
            "sound": "default",
            "thread-id": item["account_id"],
        },
        "feed_item_id": item["id"],
        "account_id": item["account_id"],
    }
    if item.get("transaction_id"):
        body["transaction_id"] = item["transaction_id"]
    return body


def push_json(row: Row) -> dict[str, Any]:
    return {
        "id": row["push_id"],
        "account_id": row["account_id"],
        "user_id": row["user_id"],
        "feed_item_id": row["feed_item_id"],
        "device_token": row["device_token"],
        "title": row["title"],
        "body": row["body"],
        "status": row["status"],
        "apns_id": row["apns_id"],
        "status_code": row["status_code"],
        "reason": row["reason"],
        "attempts": row["attempts"],
        "created": row["created"],
    }


async def _push(
    event_id: str, item: Mapping[str, Any], token: str, store: TableStore, apns: ApnsClient
) -> dict[str, Any] | None:
    claim_key = {"feed_item_id": item["id"], "device_token": token}
    push_id = await _claim(event_id, item, claim_key, store, apns.lease_seconds())
    if push_id is None:
        return None

    async def renew(wait: float) -> None:
        """Before a retry: keep the claim for the wait and the next attempt, if it is ours."""
        renewed = await store.update(
            PUSH_CLAIMS,
            claim_key,
            {"lease_until": _lease_until(timeutil.now(), apns.lease_seconds(wait))},
            if_={"push_id": push_id, "done": False},
        )
        if not renewed.applied and renewed.certain:
            raise ClaimLost(push_id)

    try:
        outcome = await apns.send(token, payload(item), collapse_id=item["id"], before_retry=renew)
    except ClaimLost:  # our lease lapsed and another attempt took the push over
        return None
    if outcome.status == REJECTED:
        await devices.mark_invalid(
            store, user_id=item["user_id"], token=token, reason=outcome.reason or "Unregistered"
        )
    pushed = await _record(store, push_id, event_id, item, token, outcome)
    done = await store.update(PUSH_CLAIMS, claim_key, {"done": True}, if_={"push_id": push_id})
    if not done.applied and done.certain:  # taken over after our last attempt: it sends again
        log.warning("a push was taken over after it was sent", extra={"push_id": push_id})
    return pushed


async def _claim(
    event_id: str, item: Mapping[str, Any], key: Row, store: TableStore, lease: float
) -> str | None:
    """The push id to send under, or None when this push was made already.

    At least once: a claim whose holder stopped before recording its push (a crash, a failed
    write) is taken over once its lease has lapsed, and the push is sent again; until then the
    event is retried (`push_in_progress`, which the consumer waits out like an outage). The
    device shows the push once either way: every push of a feed item carries the item's id as
    its `apns-collapse-id`.
    """
    now = timeutil.now()
    claim = {
        **key,
        "push_id": ids.new_id("push"),
        "event_id": event_id,
        "created": timeutil.format_time(now),
        "lease_until": _lease_until(now, lease),
        "done": False,
    }
    result = await store.insert(PUSH_CLAIMS, claim, if_not_exists=True)
    if result.applied:
        return str(claim["push_id"])
    held = result.current
    if held is None or not result.certain:  # our own claim may yet land: look again later
        raise _in_progress(key)
    if held["done"] or not held.get("lease_until"):  # finished (or from before leases)
        return None
    if timeutil.parse_time(held["lease_until"]) >= now:
        raise _in_progress(key)
    recorded = await store.get(
        PUSHES, {"account_id": item["account_id"], "push_id": held["push_id"]}
    )
    # Only while it is still the claim that was seen lapsing: a sender that renewed meanwhile
    # keeps its push.
    unfinished = {"push_id": held["push_id"], "done": False, "lease_until": held["lease_until"]}
    if recorded is not None:  # it stopped after recording: nothing to send again
        await store.update(PUSH_CLAIMS, key, {"done": True}, if_=unfinished)
        return None
    takeover = {k: claim[k] for k in ("push_id", "event_id", "lease_until")}
    taken = await store.update(PUSH_CLAIMS, key, takeover, if_=unfinished)
    if not taken.applied:
        raise _in_progress(key)  # someone else moved first: see what became of it
    log.warning("taking over an unfinished push", extra={"push_id": held["push_id"]})
    return str(claim["push_id"])


class ClaimLost(Exception):
    """A sender's claim was taken over while it waited to retry: the new holder sends."""


def _lease_until(now: datetime, seconds: float) -> str:
    return timeutil.format_time(now + timedelta(seconds=seconds))


def _in_progress(key: Row) -> ServiceError:
    return errors.unavailable(
        "push_in_progress",
        "another attempt holds this push; it is looked at again until it is done or lapses",
        feed_item_id=key["feed_item_id"],
        device_token=key["device_token"][:8],
    )


async def _record(
    store: TableStore,
    push_id: str,
    event_id: str,
    item: Mapping[str, Any],
    token: str,
    outcome: Outcome,
) -> dict[str, Any]:
    row: Row = {
        "account_id": item["account_id"],
        "push_id": push_id,
        "user_id": item["user_id"],
        "feed_item_id": item["id"],
        "event_id": event_id,
        "device_token": token,
        "title": item["title"],
        "body": item.get("body") or "",
        "status": outcome.status,
        "apns_id": outcome.apns_id,
        "status_code": outcome.status_code,
        "reason": outcome.reason,
        "attempts": outcome.attempts,
        "created": timeutil.now_text(),
    }
    await store.insert(PUSHES, row)
    if outcome.status != SENT:
        log.warning("push not delivered", extra={"push_id": push_id, "reason": outcome.reason})
    return push_json(row)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
