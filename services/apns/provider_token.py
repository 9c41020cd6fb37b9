from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from apns.settings import Settings

log = logging.getLogger(__name__)

REFRESH_AFTER_SECONDS = 50 * 60
MIN_REFRESH_INTERVAL_SECONDS = 20 * 60
LOCAL_TEAM_ID = "LOCALTEAM0"
LOCAL_KEY_ID = "LOCALKEY00"


@dataclass
class ProviderToken:
    key: ec.EllipticCurvePrivateKey
    team_id: str
    key_id: str
    clock: Callable[[], float] = time.time
    _token: str = field(default="", init=False)
    _issued_at: int = field(default=0, init=False)
    _rejected: bool = field(default=False, init=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ProviderToken:
        pem = settings.signing_key_pem()
        if pem is None:
            log.warning("no APNs signing key configured; using an ephemeral key (local sink only)")
            return cls(ec.generate_private_key(ec.SECP256R1()), LOCAL_TEAM_ID, LOCAL_KEY_ID)
        key = load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the APNs signing key must be an EC (P-256) private key")
        return cls(key, settings.apns_team_id, settings.apns_key_id)

    def current(self) -> str:
        now = int(self.clock())
        age = now - self._issued_at
        stale = age >= REFRESH_AFTER_SECONDS
        if not self._token or stale or (self._rejected and age >= MIN_REFRESH_INTERVAL_SECONDS):
            self._token = self._sign(now)
            self._issued_at = now
            self._rejected = False
        return self._token

    def rejected(self) -> None:
        self._rejected = True

    def _sign(self, issued_at: int) -> str:
        return jwt.encode(
            {"iss": self.team_id, "iat": issued_at},
            self.key,
            algorithm="ES256",
            headers={"kid": self.key_id},
        )
