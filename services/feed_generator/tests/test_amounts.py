import pytest

from feed_generator.amounts import format_money, format_signed


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (-350, "GBP", "£3.50"),
        (-1200, "EUR", "€12.00"),
        (-105, "USD", "$1.05"),
        (-7, "GBP", "£0.07"),
        (0, "GBP", "£0.00"),
        (-500, "JPY", "¥500"),
        (-12345, "KRW", "₩12,345"),
        (-3500, "BHD", "3.500 BHD"),
        (-1, "KWD", "0.001 KWD"),
        (-1050, "CHF", "10.50 CHF"),
        (-123456789, "GBP", "£1,234,567.89"),
        (-10000, "ISK", "10,000 ISK"),
        (-12345, "CLF", "1.2345 CLF"),
        (-999, "XYZ", "9.99 XYZ"),
    ],
)
def test_format_signed_for_a_debit_shows_the_bare_amount(
    minor: int, currency: str, text: str
) -> None:
    assert format_signed(minor, currency) == text


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [(350, "GBP", "+£3.50"), (500, "JPY", "+¥500"), (3500, "BHD", "+3.500 BHD")],
)
def test_format_signed_for_a_credit_adds_a_plus(minor: int, currency: str, text: str) -> None:
    assert format_signed(minor, currency) == text


def test_format_money_ignores_the_sign() -> None:
    assert format_money(350, "GBP") == format_money(-350, "GBP") == "£3.50"


def test_format_money_with_huge_amounts_stays_exact() -> None:
    assert format_money(2**63 - 1, "GBP") == "£92,233,720,368,547,758.07"
