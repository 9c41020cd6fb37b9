"""Identifiers with type prefixes (`tx_`, `acc_`, `card_` …), as the public API shows them.

New ids sort by creation time (a millisecond timestamp, then randomness), so a listing by id
is also a listing by age. Derived ids are a hash of a natural key, so retrying an operation
with the same key names the same record and cannot create a second one.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 36)
        digits.append(_ALPHABET[rest])
    return "".join(reversed(digits))


def new_id(prefix: str) -> str:
    """`<prefix>_` + 9 time characters + 16 random characters."""
    return f"{prefix}_{_base36(time.time_ns() // 1_000_000, 9)}{_base36(secrets.randbits(82), 16)}"


def derived_id(prefix: str, *parts: str) -> str:
    """The same id for the same parts, every time."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return f"{prefix}_{base64.b32encode(digest[:15]).decode().lower()}"


def token(prefix: str, nbytes: int = 24) -> str:
    """An unguessable secret value such as a card token or an access token."""
    return f"{prefix}_{secrets.token_urlsafe(nbytes)}"
