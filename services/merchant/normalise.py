from __future__ import annotations

import re
import unicodedata

import pycountry

_APOSTROPHES = "'`\u2019"
_PROCESSOR_PREFIX = re.compile(
    r"^\s*(SQ|SUMUP|PAYPAL|PP|IZ|ZETTLE|SP|TST|CRV|CKO|GOCARDLESS|STRIPE)\s*\*\s*"
)
_GLUED_NOISE = ("MARKETPLACE", "MKTPLACE", "MKTP", "PMTS")
_LEADING_NOISE = frozenset({"WWW"})
_TRAILING_NOISE = frozenset(
    {
        *("PMTS", "PAYMENT", "PAYMENTS", "MKTP", "MKTPLACE", "MARKETPLACE", "ONLINE"),
        *("LTD", "LIMITED", "PLC", "LLC", "INC", "BV", "SARL", "EU"),
        *("COM", "CO", "NET", "ORG", "STORE", "STORES"),
    }
)
_COMMON_COUNTRIES = frozenset({"GB", "GBR", "UK", "IE", "IRL", "US", "USA", "LU", "LUX"})
_ALL_COUNTRIES = frozenset(
    code for country in pycountry.countries for code in (country.alpha_2, country.alpha_3)
)
_CITIES = frozenset(
    {
        *("LONDON", "MANCHESTER", "BIRMINGHAM", "LEEDS", "GLASGOW", "EDINBURGH", "LIVERPOOL"),
        *("BRISTOL", "SHEFFIELD", "NEWCASTLE", "NOTTINGHAM", "LEICESTER", "CARDIFF", "BELFAST"),
        *("BRIGHTON", "OXFORD", "CAMBRIDGE", "YORK", "READING", "SOUTHAMPTON", "PORTSMOUTH"),
        *("ABERDEEN", "DUNDEE", "COVENTRY", "DUBLIN", "LUXEMBOURG", "AMSTERDAM", "STOCKHOLM"),
    }
)
_CITY_PHRASES = (("MILTON", "KEYNES"), ("NEWCASTLE", "UPON", "TYNE"), ("STOKE", "ON", "TRENT"))


def normalise(descriptor: str) -> str:
    """The merchant part of a card descriptor: `STARBUCKS 1234 LONDON GBR` -> `STARBUCKS`."""
    text = _PROCESSOR_PREFIX.sub("", _plain_upper(descriptor)).replace("*", " ")
    tokens = _unglue(text.split())
    while len(tokens) > 1 and tokens[0] in _LEADING_NOISE:
        tokens = tokens[1:]
    return " ".join(_without_location_and_noise(_until_reference(tokens)))


def _plain_upper(descriptor: str) -> str:
    decomposed = unicodedata.normalize("NFKD", descriptor.upper().replace("&", " AND "))
    kept = (c for c in decomposed if not unicodedata.combining(c) and c not in _APOSTROPHES)
    return "".join(c if c.isalnum() or c == "*" else " " for c in kept)


def _unglue(tokens: list[str]) -> list[str]:
    words = []
    for token in tokens:
        for noise in _GLUED_NOISE:
            if token.endswith(noise) and len(token) > len(noise):
                token = token[: -len(noise)]
                break
        words.append(token)
    return words


def _until_reference(tokens: list[str]) -> list[str]:
    for index, token in enumerate(tokens[1:], start=1):
        if any(c.isdigit() for c in token):
            return tokens[:index]
    return tokens


def _without_location_and_noise(tokens: list[str]) -> list[str]:
    while len(tokens) > 1:
        dropped = _droppable_tail(tokens)
        if dropped == 0:
            break
        tokens = tokens[:-dropped]
    return tokens


def _droppable_tail(tokens: list[str]) -> int:
    last = tokens[-1]
    if last in _TRAILING_NOISE or last in _COMMON_COUNTRIES or last in _CITIES:
        return 1
    if len(tokens) > 2 and last in _ALL_COUNTRIES:
        return 1
    for phrase in _CITY_PHRASES:
        if len(tokens) > len(phrase) and tuple(tokens[-len(phrase) :]) == phrase:
            return len(phrase)
    return 0
