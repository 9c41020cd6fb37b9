"""What a presentment may charge the customer (API.md section 2, clearing rules).

Clearing is forced: the network does not ask, so every presentment is accepted. But the
customer is charged at most what they agreed to: the authorised amount plus the merchant
category's tolerance (a tip, a fuel pump's final figure), or for an offline presentment the
floor limit. Whatever is above that becomes a chargeback claim against the acquirer, never
money taken from the customer; charged + claimed = presented, always.
"""

from __future__ import annotations

from dataclasses import dataclass

OVER_AUTHORISED = "amount_over_authorised"
NO_AUTHORISATION = "no_authorisation"

TIPPED = frozenset({"5812", "5813", "5814", "4121"})  # restaurants, bars, cafés, taxis
ESTIMATED = frozenset({"5541", "5542", "7011", "7512"})  # fuel, hotels, car hire
CAR_HIRE_AND_HOTEL_CHAINS = range(3501, 4000)


@dataclass(frozen=True)
class Charge:
    """One presentment's split: what the customer pays and what is claimed back."""

    presented: int
    charged: int
    reason: str

    @property
    def claimed(self) -> int:
        return self.presented - self.charged


def tolerance_percent(mcc: str) -> int:
    if mcc in TIPPED:
        return 20
    if mcc in ESTIMATED or (mcc.isdigit() and int(mcc) in CAR_HIRE_AND_HOTEL_CHAINS):
        return 15
    return 0


def tolerance(authorised: int, mcc: str) -> int:
    """How far above `authorised` a presentment may charge, in minor units (rounded down)."""
    return authorised * tolerance_percent(mcc) // 100


def against_authorisation(presented: int, authorised: int, mcc: str) -> Charge:
    limit = authorised + tolerance(authorised, mcc)
    return Charge(presented, min(presented, limit), OVER_AUTHORISED)


def offline(presented: int, floor_limit: int) -> Charge:
    return Charge(presented, min(presented, floor_limit), NO_AUTHORISATION)
