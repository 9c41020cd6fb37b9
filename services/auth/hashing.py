"""What auth stores instead of secrets.

Tokens, codes and login links are long random strings, so a plain SHA-256 finds their row and
reveals nothing. Client secrets are checked with a salted scrypt, run off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets

SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _scrypt(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, dklen=32, **SCRYPT)


async def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    derived = await asyncio.to_thread(_scrypt, secret, salt)
    return f"scrypt${salt.hex()}${derived.hex()}"


async def secret_matches(secret: str, stored: str) -> bool:
    scheme, _, rest = stored.partition("$")
    salt_hex, _, derived_hex = rest.partition("$")
    if scheme != "scrypt" or not salt_hex or not derived_hex:
        return False
    derived = await asyncio.to_thread(_scrypt, secret, bytes.fromhex(salt_hex))
    return hmac.compare_digest(derived, bytes.fromhex(derived_hex))
