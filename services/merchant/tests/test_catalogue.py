import pytest

from merchant import catalogue
from merchant.catalogue import CATALOGUE, Known
from merchant.categories import CATEGORIES
from merchant.normalise import normalise

ALIASES = [(alias, known) for known in CATALOGUE for alias in known.aliases]


def test_catalogue_lists_at_least_twenty_five_merchants_once_each() -> None:
    assert len(CATALOGUE) >= 25
    assert len({known.key for known in CATALOGUE}) == len(CATALOGUE)
    assert len(catalogue.BY_ID) == len(CATALOGUE)
    assert len({known.name for known in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("known", CATALOGUE, ids=lambda known: known.key)
def test_catalogue_entry_is_complete(known: Known) -> None:
    assert known.id.startswith("merch_") and known.group_id.startswith("grp_")
    assert known.category in CATEGORIES
    assert known.emoji and known.logo.startswith("https://")
    assert known.domain in known.logo
    address = known.address
    assert address.address and address.city and address.postcode and address.region
    assert len(address.country) == 2 and address.country.isupper()
    assert -90 <= address.latitude <= 90 and -180 <= address.longitude <= 180
    assert (address.latitude, address.longitude) != (0.0, 0.0)


@pytest.mark.parametrize(("alias", "known"), ALIASES, ids=[alias for alias, _ in ALIASES])
def test_find_for_each_alias_is_its_own_merchant(alias: str, known: Known) -> None:
    assert catalogue.find(normalise(alias)) is known
    assert catalogue.find(normalise(f"{alias} 1234 LONDON GBR")) is known


def test_find_prefers_the_longest_alias() -> None:
    eats, ride = catalogue.find("UBER EATS"), catalogue.find("UBER")
    assert eats is not None and ride is not None
    assert (eats.key, ride.key) == ("uber_eats", "uber")
    assert eats.group_id == ride.group_id and eats.id != ride.id


def test_catalogue_ids_stay_the_same_in_every_deployment() -> None:
    starbucks = catalogue.find("STARBUCKS")
    assert starbucks is not None
    assert starbucks.id == "merch_7nbt3tt472bldvnpzxt7bmn3"
    assert starbucks.group_id == "grp_chnenkhhqyhqr5qdd4n7ouxc"
    assert len({known.group_id for known in CATALOGUE}) == len(CATALOGUE) - 1
