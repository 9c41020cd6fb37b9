from __future__ import annotations

from smartbank.money import minor_digits

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
