"""Webhook signatures, for smartbank to sign with and for receivers to verify with.

Every delivery carries `Smartbank-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC
keyed with the webhook's secret over `f"{t}.".encode() + body`. Signing the timestamp with the
body lets a receiver refuse a captured request replayed later. A receiver checks the raw body
bytes as received, before parsing them:

    verify(secret, request.headers["Smartbank-Signature"], raw_body, now=time.time())
"""

from __future__ import annotations

import hashlib
import hmac
import re

HEADER = "Smartbank-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class SignatureError(ValueError):
    """The signature header is malformed, stale, or matches no signature of this body."""


def digest(secret: str, body: bytes, timestamp: int) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The value of the signature header for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={digest(secret, body, timestamp)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    now: float,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise SignatureError unless `header` signs `body` with `secret` within the tolerance.

    More than one `v1` is accepted (any may match), so a secret can be rotated.
    """
    timestamp, signatures = parse(header)
    if abs(now - timestamp) > tolerance_seconds:
        raise SignatureError(f"timestamp {timestamp} is outside the {tolerance_seconds}s tolerance")
    expected = digest(secret, body, timestamp)
    matched = [hmac.compare_digest(expected, candidate) for candidate in signatures]
    if not any(matched):
        raise SignatureError("no signature matches this body and secret")


def is_valid(
    secret: str,
    header: str,
    body: bytes,
    now: float,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """`verify` as a yes or no."""
    try:
        verify(secret, header, body, now, tolerance_seconds)
    except SignatureError:
        return False
    return True


def parse(header: str) -> tuple[int, list[str]]:
    """The timestamp and the v1 signatures of a header; unknown schemes are ignored."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed signature header part {part!r}")
        if key == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit():
                raise SignatureError("the signature header needs one numeric t=")
            timestamp = int(value)
        elif key == "v1":
            if not _HEX_DIGEST.fullmatch(value):
                raise SignatureError("a v1 signature must be 64 lower-case hex digits")
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError("the signature header needs t= and at least one v1=")
    return timestamp, signatures
