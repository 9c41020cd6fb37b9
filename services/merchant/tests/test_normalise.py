import pytest

from merchant import catalogue
from merchant.normalise import normalise


@pytest.mark.parametrize(
    ("descriptor", "expected"),
    [
        ("STARBUCKS 1234 LONDON GBR", "STARBUCKS"),
        ("TFL TRAVEL CH", "TFL TRAVEL"),
        ("AMZNMKTPLACE PMTS", "AMZN"),
        ("PRET A MANGER 0423", "PRET A MANGER"),
        ("starbucks   london  gb", "STARBUCKS"),
        ("AMAZON.CO.UK*2K4LR1234 AMAZON.CO.UK LU", "AMAZON"),
        ("AMZN Mktp UK*2K4LR1234", "AMZN"),
        ("WWW.AMAZON.CO.UK", "AMAZON"),
        ("SQ *JOE'S CAFÉ", "JOES CAFE"),
        ("SumUp  *  Joe\u2019s Café", "JOES CAFE"),
        ("PAYPAL *NETFLIX", "NETFLIX"),
        ("NETFLIX.COM 866-579-7172 CA", "NETFLIX"),
        ("UBER *EATS", "UBER EATS"),
        ("M&S SIMPLY FOOD 123", "M AND S SIMPLY FOOD"),
        ("SAINSBURY'S S/MKT", "SAINSBURYS S MKT"),
        ("CO-OP GROUP 070123", "CO OP GROUP"),
        ("TESCO STORES 3297 MILTON KEYNES GB", "TESCO"),
        ("CAFFÈ NERO 123 EDINBURGH", "CAFFE NERO"),
        ("JOES CAFE 12 HIGH STREET LONDON", "JOES CAFE"),
        ("THE CORNER SHOP LTD", "THE CORNER SHOP"),
        ("BA.COM", "BA"),
        ("7 ELEVEN", "7 ELEVEN"),
        ("1234", "1234"),
        ("LONDON", "LONDON"),
        ("FRYING PAN", "FRYING PAN"),
    ],
)
def test_normalise_keeps_only_the_merchant_name(descriptor: str, expected: str) -> None:
    assert normalise(descriptor) == expected


@pytest.mark.parametrize("descriptor", ["", "   ", "***", "SQ *", "-- / --"])
def test_normalise_without_a_name_is_empty(descriptor: str) -> None:
    assert normalise(descriptor) == ""


@pytest.mark.parametrize(
    ("descriptor", "key"),
    [
        ("STARBUCKS 1234 LONDON GBR", "starbucks"),
        ("TFL TRAVEL CH", "tfl"),
        ("TFL.GOV.UK/CP", "tfl"),
        ("AMZNMKTPLACE PMTS", "amazon"),
        ("AMAZON.CO.UK*2K4LR1234 AMAZON.CO.UK LU", "amazon"),
        ("PRET A MANGER 0423", "pret"),
        ("TESCO STORES 3297", "tesco"),
        ("SAINSBURY'S S/MKT", "sainsburys"),
        ("WAITROSE 123 LONDON", "waitrose"),
        ("COSTA COFFEE 43012", "costa"),
        ("CAFFE NERO 123", "caffe_nero"),
        ("MCDONALD'S 1234 MANCHESTER", "mcdonalds"),
        ("UBER *TRIP HELP.UBER.COM", "uber"),
        ("UBER *EATS", "uber_eats"),
        ("DELIVEROO.CO.UK", "deliveroo"),
        ("JUST EAT.CO.UK LTD", "just_eat"),
        ("PAYPAL *NETFLIX", "netflix"),
        ("Spotify P1A2B3C4D5", "spotify"),
        ("APPLE.COM/BILL", "apple"),
        ("BOOTS 1102 BRISTOL", "boots"),
        ("GREGGS PLC 1234", "greggs"),
        ("CO-OP GROUP 070123", "coop"),
        ("THETRAINLINE.COM", "trainline"),
        ("BRITISH AIRWAYS 1252345678", "british_airways"),
        ("RYANAIR 1234567890 IRL", "ryanair"),
        ("LIDL GB LONDON", "lidl"),
        ("ALDI 45 STORES", "aldi"),
        ("M&S SIMPLY FOOD 123", "marks_and_spencer"),
    ],
)
def test_find_resolves_descriptor_variants_to_the_catalogue(descriptor: str, key: str) -> None:
    known = catalogue.find(normalise(descriptor))
    assert known is not None and known.key == key


@pytest.mark.parametrize(
    "descriptor", ["JOES CAFE 12", "APPLEBEES 99", "STARBUCKSY", "COSTAS KEBABS", "THE BA"]
)
def test_find_for_unknown_descriptor_is_none(descriptor: str) -> None:
    assert catalogue.find(normalise(descriptor)) is None
