from __future__ import annotations

from dataclasses import dataclass

from merchant.categories import EATING_OUT, ENTERTAINMENT, GROCERIES, HOLIDAYS, SHOPPING, TRANSPORT
from merchant.normalise import normalise
from smartbank import ids

CATALOGUED = "2025-01-01T00:00:00.000Z"
LOGO_URL = "https://www.google.com/s2/favicons?domain={domain}&sz=128"


@dataclass(frozen=True)
class Address:
    address: str
    city: str
    country: str
    latitude: float
    longitude: float
    postcode: str
    region: str


@dataclass(frozen=True)
class Known:
    key: str
    name: str
    category: str
    emoji: str
    domain: str
    aliases: tuple[str, ...]
    address: Address
    group: str = ""

    @property
    def id(self) -> str:
        return ids.derived_id("merch", "catalogue", self.key)

    @property
    def group_id(self) -> str:
        return ids.derived_id("grp", "catalogue_group", self.group or self.key)

    @property
    def logo(self) -> str:
        return LOGO_URL.format(domain=self.domain)


def _london(address: str, postcode: str, latitude: float, longitude: float) -> Address:
    return Address(address, "London", "GB", latitude, longitude, postcode, "Greater London")


_UBER_OFFICE = _london("Aldgate Tower, 2 Leman Street", "E1 8FA", 51.5138, -0.0717)

# fmt: off
CATALOGUE: tuple[Known, ...] = (
    Known("starbucks", "Starbucks", EATING_OUT, "☕", "starbucks.co.uk", ("STARBUCKS", "SBUX"),
          _london("Chiswick Park, 566 Chiswick High Road", "W4 5YE", 51.4947, -0.2740)),
    Known("tfl", "Transport for London", TRANSPORT, "🚇", "tfl.gov.uk",
          ("TFL", "TRANSPORT FOR LONDON"),
          _london("5 Endeavour Square", "E20 1JN", 51.5433, -0.0093)),
    Known("amazon", "Amazon", SHOPPING, "📦", "amazon.co.uk", ("AMAZON", "AMZN"),
          _london("1 Principal Place, Worship Street", "EC2A 2FA", 51.5219, -0.0795)),
    Known("pret", "Pret A Manger", EATING_OUT, "🥪", "pret.co.uk", ("PRET", "PRETAMANGER"),
          _london("Verde, 10 Bressenden Place", "SW1E 5DH", 51.4977, -0.1425)),
    Known("tesco", "Tesco", GROCERIES, "🛒", "tesco.com", ("TESCO",),
          Address("Tesco House, Shire Park, Kestrel Way", "Welwyn Garden City", "GB",
                  51.8046, -0.1914, "AL7 1GA", "Hertfordshire")),
    Known("sainsburys", "Sainsbury's", GROCERIES, "🛒", "sainsburys.co.uk",
          ("SAINSBURYS", "SAINSBURY", "JS ONLINE GROCERY"),
          _london("33 Holborn", "EC1N 2HT", 51.5179, -0.1086)),
    Known("waitrose", "Waitrose", GROCERIES, "🛒", "waitrose.com", ("WAITROSE",),
          Address("Doncastle Road", "Bracknell", "GB", 51.4130, -0.7707, "RG12 8YA", "Berkshire")),
    Known("costa", "Costa Coffee", EATING_OUT, "☕", "costa.co.uk", ("COSTA",),
          Address("Whitbread Court, Houghton Hall Business Park, Porz Avenue", "Dunstable", "GB",
                  51.8868, -0.5016, "LU5 5XE", "Bedfordshire")),
    Known("caffe_nero", "Caffè Nero", EATING_OUT, "☕", "caffenero.com",
          ("CAFFE NERO", "CAFE NERO", "NERO"),
          _london("3 Neal Street", "WC2H 9PU", 51.5140, -0.1262)),
    Known("mcdonalds", "McDonald's", EATING_OUT, "🍔", "mcdonalds.com",
          ("MCDONALDS", "MC DONALDS"),
          _london("11-59 High Road, East Finchley", "N2 8AW", 51.5893, -0.1648)),
    Known("uber", "Uber", TRANSPORT, "🚕", "uber.com", ("UBER",), _UBER_OFFICE),
    Known("uber_eats", "Uber Eats", EATING_OUT, "🛵", "ubereats.com", ("UBER EATS", "UBEREATS"),
          _UBER_OFFICE, group="uber"),
    Known("deliveroo", "Deliveroo", EATING_OUT, "🛵", "deliveroo.co.uk", ("DELIVEROO",),
          _london("The River Building, 1 Cousin Lane", "EC4R 3TE", 51.5094, -0.0922)),
    Known("just_eat", "Just Eat", EATING_OUT, "🍕", "just-eat.co.uk", ("JUST EAT", "JUSTEAT"),
          _london("Fleet Place House, 2 Fleet Place", "EC4M 7RF", 51.5158, -0.1041)),
    Known("netflix", "Netflix", ENTERTAINMENT, "🎬", "netflix.com", ("NETFLIX",),
          Address("Karperstraat 8-10", "Amsterdam", "NL", 52.3530, 4.8642, "1075 KZ",
                  "North Holland")),
    Known("spotify", "Spotify", ENTERTAINMENT, "🎵", "spotify.com", ("SPOTIFY",),
          Address("Regeringsgatan 19", "Stockholm", "SE", 59.3337, 18.0702, "111 53",
                  "Stockholm County")),
    Known("apple", "Apple", SHOPPING, "🍎", "apple.com", ("APPLE", "ITUNES"),
          Address("Hollyhill Industrial Estate, Hollyhill", "Cork", "IE", 51.9103, -8.5066,
                  "T23 YK84", "County Cork")),
    Known("boots", "Boots", SHOPPING, "💊", "boots.com", ("BOOTS",),
          Address("1 Thane Road", "Nottingham", "GB", 52.9226, -1.1868, "NG90 1BS",
                  "Nottinghamshire")),
    Known("greggs", "Greggs", EATING_OUT, "🥐", "greggs.co.uk", ("GREGGS",),
          Address("Greggs House, Quorum Business Park", "Newcastle upon Tyne", "GB",
                  55.0195, -1.5720, "NE12 8BU", "Tyne and Wear")),
    Known("coop", "Co-op", GROCERIES, "🛒", "coop.co.uk",
          ("CO OP", "COOP", "CO OPERATIVE", "COOPERATIVE"),
          Address("1 Angel Square", "Manchester", "GB", 53.4870, -2.2389, "M60 0AG",
                  "Greater Manchester")),
    Known("trainline", "Trainline", TRANSPORT, "🚆", "thetrainline.com",
          ("TRAINLINE", "THETRAINLINE", "THE TRAINLINE"),
          _london("120 Holborn", "EC1N 2TD", 51.5180, -0.1095)),
    Known("british_airways", "British Airways", HOLIDAYS, "✈️", "britishairways.com",
          ("BRITISH AIRWAYS", "BA"),
          Address("Waterside, Harmondsworth", "West Drayton", "GB", 51.4941, -0.4853,
                  "UB7 0GB", "Greater London")),
    Known("ryanair", "Ryanair", HOLIDAYS, "✈️", "ryanair.com", ("RYANAIR",),
          Address("Airside Business Park", "Swords", "IE", 53.4467, -6.2268, "K67 NY94",
                  "County Dublin")),
    Known("lidl", "Lidl", GROCERIES, "🛒", "lidl.co.uk", ("LIDL",),
          _london("19 Worple Road", "SW19 4JS", 51.4206, -0.2085)),
    Known("aldi", "Aldi", GROCERIES, "🛒", "aldi.co.uk", ("ALDI",),
          Address("Holly Lane", "Atherstone", "GB", 52.5838, -1.5478, "CV9 2SQ",
                  "Warwickshire")),
    Known("marks_and_spencer", "Marks & Spencer", SHOPPING, "🛍️", "marksandspencer.com",
          ("MARKS AND SPENCER", "MARKS SPENCER", "M AND S"),
          _london("Waterside House, 35 North Wharf Road", "W2 1NW", 51.5199, -0.1777)),
)
# fmt: on

BY_ID: dict[str, Known] = {known.id: known for known in CATALOGUE}
_ALIASES: tuple[tuple[tuple[str, ...], Known], ...] = tuple(
    sorted(
        (
            (tuple(normalise(alias).split()), known)
            for known in CATALOGUE
            for alias in known.aliases
        ),
        key=lambda pair: -len(pair[0]),
    )
)


def find(normalised: str) -> Known | None:
    tokens = tuple(normalised.split())
    for alias, known in _ALIASES:
        if tokens[: len(alias)] == alias:
            return known
    return None
