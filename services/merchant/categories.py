from __future__ import annotations

GENERAL = "general"
EATING_OUT = "eating_out"
EXPENSES = "expenses"
TRANSPORT = "transport"
CASH = "cash"
BILLS = "bills"
ENTERTAINMENT = "entertainment"
SHOPPING = "shopping"
HOLIDAYS = "holidays"
GROCERIES = "groceries"

EMOJI_BY_CATEGORY: dict[str, str] = {
    GENERAL: "💳",
    EATING_OUT: "🍽️",
    EXPENSES: "💼",
    TRANSPORT: "🚆",
    CASH: "💵",
    BILLS: "🧾",
    ENTERTAINMENT: "🎬",
    SHOPPING: "🛍️",
    HOLIDAYS: "✈️",
    GROCERIES: "🛒",
}
CATEGORIES = tuple(EMOJI_BY_CATEGORY)

_BY_CODE: dict[int, str] = {
    4111: TRANSPORT,
    4112: TRANSPORT,
    4121: TRANSPORT,
    4131: TRANSPORT,
    4784: TRANSPORT,
    4789: TRANSPORT,
    5541: TRANSPORT,
    5542: TRANSPORT,
    7523: TRANSPORT,
    4411: HOLIDAYS,
    4511: HOLIDAYS,
    4722: HOLIDAYS,
    7011: HOLIDAYS,
    7012: HOLIDAYS,
    7512: HOLIDAYS,
    5812: EATING_OUT,
    5813: EATING_OUT,
    5814: EATING_OUT,
    5411: GROCERIES,
    5422: GROCERIES,
    5441: GROCERIES,
    5451: GROCERIES,
    5462: GROCERIES,
    5499: GROCERIES,
    6010: CASH,
    6011: CASH,
    6051: CASH,
    4812: BILLS,
    4814: BILLS,
    4899: BILLS,
    4900: BILLS,
    6300: BILLS,
    6513: BILLS,
    7832: ENTERTAINMENT,
    7841: ENTERTAINMENT,
    7922: ENTERTAINMENT,
    7929: ENTERTAINMENT,
    7933: ENTERTAINMENT,
    7941: ENTERTAINMENT,
    5815: ENTERTAINMENT,
    5816: ENTERTAINMENT,
    5111: EXPENSES,
    7338: EXPENSES,
    7399: EXPENSES,
}

_BY_RANGE: tuple[tuple[int, int, str], ...] = (
    (3000, 3299, HOLIDAYS),
    (3351, 3441, HOLIDAYS),
    (3501, 3999, HOLIDAYS),
    (7990, 7999, ENTERTAINMENT),
    (5200, 5299, SHOPPING),
    (5300, 5399, SHOPPING),
    (5600, 5699, SHOPPING),
    (5700, 5799, SHOPPING),
    (5900, 5999, SHOPPING),
)


def category_for_mcc(mcc: str) -> str:
    if len(mcc) != 4 or not (mcc.isascii() and mcc.isdigit()):
        return GENERAL
    code = int(mcc)
    if code in _BY_CODE:
        return _BY_CODE[code]
    for low, high, category in _BY_RANGE:
        if low <= code <= high:
            return category
    return GENERAL
