"""Request parameters every listing reads the same way: a page size and RFC 3339 times.

Bad values are typed 400s (`bad_request.invalid_limit`, `bad_request.invalid_time`), never a
5xx; numbers that arrive as strings are accepted, as the public API allows.
"""

from __future__ import annotations

from smartbank import errors, timeutil

DEFAULT_LIMIT = 30
MAX_LIMIT = 100


def parse_limit(limit: int | str | None, maximum: int = MAX_LIMIT) -> int:
    if limit is None or limit == "":
        return DEFAULT_LIMIT
    text = str(limit)
    count = int(text) if text.isascii() and text.isdigit() else 0
    if not 1 <= count <= maximum:
        raise errors.bad_request(
            "invalid_limit", f"limit must be a whole number from 1 to {maximum}", limit=limit
        )
    return count


def time_text(value: str, field: str) -> str:
    """`value` as canonical RFC 3339 UTC text (lenient on input, see `timeutil.parse_time`)."""
    try:
        return timeutil.format_time(timeutil.parse_time(value))
    except ValueError:
        raise errors.bad_request(
            "invalid_time", f"{field} must be an RFC 3339 time", field=field, value=value
        ) from None
