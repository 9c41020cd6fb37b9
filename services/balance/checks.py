import re
from typing import Any

from smartbank import errors, money, timeutil

MAX_AMOUNT = 10**15
MAX_ID_LENGTH = 128
PLAIN_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_ID_LENGTH}}}")


def _invalid(field: str, problem: str) -> errors.ServiceError:
    return errors.bad_request("invalid_request", f"{field}: {problem}", field=field)


def positive_amount(value: Any, field: str = "amount") -> int:
    amount = signed_amount(value, field)
    if amount <= 0:
        raise _invalid(field, "must be a positive integer of minor units")
    return amount


def non_negative_amount(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
        raise _invalid(field, f"must be an integer of minor units from 0 to {MAX_AMOUNT}")
    return value


def signed_amount(value: Any, field: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, "must be an integer of minor units")
    if value == 0 or abs(value) > MAX_AMOUNT:
        raise _invalid(field, f"must be non-zero and at most {MAX_AMOUNT} in size")
    return value


def currency(value: Any) -> str:
    if not isinstance(value, str) or not money.is_currency(value):
        raise _invalid("currency", "must be an ISO 4217 code such as GBP")
    return value


def same_currency(account_currency: str, given: str) -> None:
    if given != account_currency:
        raise errors.bad_request(
            "currency_mismatch",
            f"the account holds {account_currency}, not {given}",
            account_currency=account_currency,
        )


def identifier(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
        raise _invalid(field, f"must be a non-empty string of at most {MAX_ID_LENGTH} characters")
    return value


def plain_id(value: Any, field: str) -> str:
    if not isinstance(value, str) or not PLAIN_ID.fullmatch(value):
        raise _invalid(field, f"must be 1 to {MAX_ID_LENGTH} letters, digits, '_' or '-'")
    return value


def label(value: Any, field: str, limit: int = 100) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _invalid(field, f"must be a non-empty string of at most {limit} characters")
    return value


def text(value: Any, field: str, limit: int = 500) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise _invalid(field, f"must be a string of at most {limit} characters")
    return value


def timestamp(value: Any, field: str) -> str:
    try:
        return timeutil.format_time(timeutil.parse_time(value))
    except (TypeError, ValueError, AttributeError, OverflowError):
        raise _invalid(field, "must be an RFC 3339 time") from None
