"""Identifiers with type prefixes (`tx_`, `acc_`, `card_` …), as the public API shows them.

New ids sort by creation time (a millisecond timestamp, then randomness that only grows
within one millisecond in one process), so a listing by id is also a listing by age. Derived
ids are a hash of a natural key, so retrying an operation with the same key names the same
record and cannot create a second one.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 36)
        digits.append(_ALPHABET[rest])
    return "".join(reversed(digits))


_RANDOM_BITS = 82
_last = [0, 0]
_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """`<prefix>_` + 9 time characters + 16 random characters, increasing within a process."""
    with _lock:
        millis = time.time_ns() // 1_000_000
        if millis <= _last[0] and _last[1] + 1 < 2**_RANDOM_BITS:
            millis, random_part = _last[0], _last[1] + 1
        else:
            random_part = secrets.randbits(_RANDOM_BITS - 1)
        _last[:] = [millis, random_part]
    return f"{prefix}_{_base36(millis, 9)}{_base36(random_part, 16)}"


def derived_id(prefix: str, *parts: str) -> str:
    """The same id for the same parts, every time."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return f"{prefix}_{base64.b32encode(digest[:15]).decode().lower()}"


def token(prefix: str, nbytes: int = 24) -> str:
    """An unguessable secret value such as a card token or an access token."""
    return f"{prefix}_{secrets.token_urlsafe(nbytes)}"
