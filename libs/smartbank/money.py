"""Money is an integer number of minor units with an ISO 4217 currency. Never a float."""

from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=512)
def is_currency(code: str) -> bool:
    """True for an active ISO 4217 alphabetic code such as GBP (case matters: `gbp` is not)."""
    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None
