import pytest

from merchant.categories import CATEGORIES, EMOJI_BY_CATEGORY, category_for_mcc


@pytest.mark.parametrize(
    ("mcc", "category"),
    [
        ("5812", "eating_out"),
        ("5814", "eating_out"),
        ("4111", "transport"),
        ("4121", "transport"),
        ("4131", "transport"),
        ("5542", "transport"),
        ("5411", "groceries"),
        ("6011", "cash"),
        ("4900", "bills"),
        ("4814", "bills"),
        ("7832", "entertainment"),
        ("7995", "entertainment"),
        ("4511", "holidays"),
        ("3000", "holidays"),
        ("3299", "holidays"),
        ("3750", "holidays"),
        ("7011", "holidays"),
        ("5311", "shopping"),
        ("5651", "shopping"),
        ("5999", "shopping"),
        ("5732", "shopping"),
        ("7399", "expenses"),
    ],
)
def test_category_for_mcc_maps_known_codes(mcc: str, category: str) -> None:
    assert category_for_mcc(mcc) == category


@pytest.mark.parametrize("mcc", ["0000", "8999", "3300", "", "581", "58120", "58a2", "٥٨١٢"])
def test_category_for_mcc_when_unknown_or_malformed_is_general(mcc: str) -> None:
    assert category_for_mcc(mcc) == "general"


def test_categories_are_the_public_api_list_without_top_ups() -> None:
    expected = "general eating_out expenses transport cash bills entertainment shopping holidays"
    assert set(CATEGORIES) == {*expected.split(), "groceries"}
    assert all(EMOJI_BY_CATEGORY[category] for category in CATEGORIES)
