import pytest

from smartbank.money import is_currency, minor_digits


@pytest.mark.parametrize(
    ("currency", "digits"), [("GBP", 2), ("JPY", 0), ("VND", 0), ("BHD", 3), ("OMR", 3)]
)
def test_minor_digits_follow_iso_4217(currency: str, digits: int) -> None:
    assert minor_digits(currency) == digits


@pytest.mark.parametrize(
    ("code", "known"), [("GBP", True), ("EUR", True), ("gbp", False), ("XXQ", False), ("GB", False)]
)
def test_is_currency_knows_active_iso_4217_codes(code: str, known: bool) -> None:
    assert is_currency(code) is known
