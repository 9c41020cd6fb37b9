"""Money is an integer number of minor units with an ISO 4217 currency. Never a float."""

from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=512)
def is_currency(code: str) -> bool:
    """True for an active ISO 4217 alphabetic code such as GBP (case matters: `gbp` is not)."""
    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


# ISO 4217 exponents other than 2.
CODES_BY_DIGITS = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
MINOR_DIGITS = {code: digits for digits, codes in CODES_BY_DIGITS.items() for code in codes.split()}
DEFAULT_DIGITS = 2


def minor_digits(currency: str) -> int:
    """ISO 4217's exponent: how many digits of minor units a major unit has (JPY 0, GBP 2)."""
    return MINOR_DIGITS.get(currency, DEFAULT_DIGITS)
