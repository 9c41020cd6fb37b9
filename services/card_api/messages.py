"""The card network's messages (API.md section 2), validated strictly at the edge."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, field_validator

from smartbank import money, timeutil

Digits = Field(min_length=1, max_length=12, pattern=r"^[0-9]+$")
CARD_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
NO_SUCH_CARD = "14"

# Any string, exactly as sent: a token of another format names no card (14), it is not a
# malformed message (400), and it is never trimmed or otherwise interpreted.
CardToken = Annotated[str, StringConstraints(strip_whitespace=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Carded(Strict):
    card_token: CardToken

    @property
    def token_is_wellformed(self) -> bool:
        return CARD_TOKEN.fullmatch(self.card_token) is not None


class Merchant(Strict):
    descriptor: str = Field(min_length=1, max_length=100)
    mcc: str = Field(default="", pattern=r"^([0-9]{4})?$")
    city: str = Field(default="", max_length=100)
    country: str = Field(default="", max_length=3)


class Original(Strict):
    stan: str = Digits
    rrn: str = Field(min_length=1, max_length=12, pattern=r"^[0-9A-Za-z]+$")
    transmitted_at: str

    @field_validator("transmitted_at")
    @classmethod
    def _is_time(cls, value: str) -> str:
        timeutil.parse_time(value)
        return value


class Authorisation(Original, Carded):
    amount: StrictInt = Field(gt=0, le=100_000_000)
    currency: str
    merchant: Merchant

    @field_validator("currency")
    @classmethod
    def _is_currency(cls, value: str) -> str:
        if not money.is_currency(value):
            raise ValueError(f"{value!r} is not an ISO 4217 currency")
        return value


class Adjustment(Carded):
    original: Original
    amount: StrictInt | None = Field(default=None, gt=0, le=100_000_000)
    currency: str | None = None

    @field_validator("currency")
    @classmethod
    def _is_currency(cls, value: str | None) -> str | None:
        if value is not None and not money.is_currency(value):
            raise ValueError(f"{value!r} is not an ISO 4217 currency")
        return value
