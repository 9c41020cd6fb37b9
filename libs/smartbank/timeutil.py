"""Times are RFC 3339 strings in UTC on the wire and in tables (`2026-11-22T10:00:00.000Z`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def now_text() -> str:
    return format_time(now())


def parse_time(text: str) -> datetime:
    """Lenient RFC 3339: `Z` or an offset, `T` or a space, no zone meaning UTC.

    Raises ValueError for anything else.
    """
    cleaned = text.strip().replace(" ", "T", 1)
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    moment = datetime.fromisoformat(cleaned)
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is outside the years 1 to 9999 in UTC") from None


def later(seconds: float) -> str:
    return format_time(now() + timedelta(seconds=seconds))
