"""The feed service's side of a call, as a fake answers it."""

from __future__ import annotations

from typing import Any

# What feed fills in on an item the generator leaves out: every text field, and no times.
ITEM_DEFAULTS: dict[str, Any] = {
    "user_id": None,
    "transaction_id": None,
    "created": "2026-11-22T10:00:00Z",
    "title": "",
    "body": "",
    "image_url": "",
    "emoji": "",
    "url": "",
    "background_color": "",
    "title_color": "",
    "body_color": "",
}


def stored_item(item: dict[str, Any]) -> dict[str, Any]:
    """`item` as feed keeps and answers it."""
    return {**ITEM_DEFAULTS, **item}
