from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from smartbank import ids, timeutil

# card-api answers 14 to any other token; one that reaches here anyway is refused, never used.
CardToken = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Merchant(BaseModel):
    model_config = ConfigDict(extra="ignore")
    descriptor: str
    mcc: str = ""
    city: str = ""
    country: str = ""


class Original(BaseModel):
    stan: str
    rrn: str
    transmitted_at: str


class Authorisation(BaseModel):
    card_token: CardToken
    amount: int = Field(gt=0)
    currency: str
    merchant: Merchant
    stan: str
    rrn: str
    transmitted_at: str

    @property
    def original(self) -> Original:
        return Original(stan=self.stan, rrn=self.rrn, transmitted_at=self.transmitted_at)

    def fingerprint(self) -> str:
        m = self.merchant
        return ids.derived_id(
            "fp", str(self.amount), self.currency, m.descriptor, m.mcc, m.city, m.country
        )


class Adjustment(BaseModel):
    """A reversal or a presentment: it names the original authorisation."""

    card_token: CardToken
    original: Original
    amount: int | None = Field(default=None, gt=0)
    currency: str | None = None


def auth_key(card_token: str, original: Original) -> str:
    """The network's identifiers of one authorisation, as one key (times normalised)."""
    moment = timeutil.format_time(timeutil.parse_time(original.transmitted_at))
    return ids.derived_id("ak", card_token, original.stan, original.rrn, moment)
