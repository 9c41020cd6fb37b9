from __future__ import annotations

SYMBOLS = {
    "GBP": "£",
    "EUR": "€",
    "USD": "$",
    "JPY": "¥",
    "CNY": "CN¥",
    "INR": "₹",
    "KRW": "₩",
    "ILS": "₪",
    "NGN": "₦",
    "PHP": "₱",
    "THB": "฿",
    "TRY": "₺",
    "UAH": "₴",
    "VND": "₫",
    "AUD": "A$",
    "CAD": "CA$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "SGD": "S$",
    "MXN": "MX$",
    "BRL": "R$",
}
CODES_BY_DIGITS = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
MINOR_DIGITS = {code: digits for digits, codes in CODES_BY_DIGITS.items() for code in codes.split()}
DEFAULT_DIGITS = 2


def minor_digits(currency: str) -> int:
    return MINOR_DIGITS.get(currency, DEFAULT_DIGITS)


def format_money(minor: int, currency: str) -> str:
    number = _number(abs(minor), minor_digits(currency))
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


def format_signed(minor: int, currency: str) -> str:
    text = format_money(minor, currency)
    return f"+{text}" if minor > 0 else text


def _number(units: int, digits: int) -> str:
    if digits == 0:
        return f"{units:,}"
    major, fraction = divmod(units, 10**digits)
    return f"{major:,}.{fraction:0{digits}d}"
