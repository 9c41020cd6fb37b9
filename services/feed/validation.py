from __future__ import annotations

import re
from urllib.parse import urlsplit

from smartbank import errors
from smartbank.contracts.feed import NewFeedItem

TRANSACTION, BASIC = "transaction", "basic"
TYPES = (TRANSACTION, BASIC)
REQUIRED = {
    TRANSACTION: ("account_id", "title", "transaction_id"),
    BASIC: ("account_id", "title", "image_url"),
}
MAX_LENGTHS = {
    "id": 100,
    "account_id": 100,
    "user_id": 100,
    "transaction_id": 100,
    "title": 200,
    "body": 1000,
    "emoji": 32,
    "image_url": 2048,
    "url": 2048,
}
PREFIXES = {"id": "feeditem_", "account_id": "acc_", "user_id": "user_", "transaction_id": "tx_"}
COLOURS = ("background_color", "title_color", "body_color")
URLS = ("image_url", "url")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_ID_TAIL = re.compile(r"[A-Za-z0-9_-]+")


def check(new: NewFeedItem) -> None:
    if new.type not in TYPES:
        raise errors.bad_request(
            "invalid_type", f"type must be one of {', '.join(TYPES)}", type=new.type
        )
    for field in REQUIRED[new.type]:
        if not (getattr(new, field) or "").strip():
            raise errors.bad_request(
                "missing_field", f"a {new.type} item needs {field}", field=field
            )
    for field, limit in MAX_LENGTHS.items():
        _check_length(field, getattr(new, field), limit)
    for field, prefix in PREFIXES.items():
        _check_id(field, getattr(new, field), prefix)
    for field in COLOURS:
        _check_colour(field, getattr(new, field))
    for field in URLS:
        _check_url(field, getattr(new, field))


def _check_length(field: str, value: str | None, limit: int) -> None:
    if value and len(value) > limit:
        raise errors.bad_request(
            "too_long", f"{field} is longer than {limit} characters", field=field, max=limit
        )


def _check_id(field: str, value: str | None, prefix: str) -> None:
    tail = value[len(prefix) :] if value and value.startswith(prefix) else None
    if value and not (tail and _ID_TAIL.fullmatch(tail)):
        raise errors.bad_request(
            "invalid_id", f"{field} must be {prefix} then letters or digits", field=field
        )


def _check_colour(field: str, value: str | None) -> None:
    if value and not _COLOUR.fullmatch(value):
        raise errors.bad_request(
            "invalid_color", f"{field} must be #RRGGBB", field=field, value=value
        )


def _check_url(field: str, value: str | None) -> None:
    if value and not _is_web_url(value):
        raise errors.bad_request(
            "invalid_url", f"{field} must be an http or https URL", field=field
        )


def _is_web_url(value: str) -> bool:
    if any(char.isspace() or not char.isprintable() for char in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
