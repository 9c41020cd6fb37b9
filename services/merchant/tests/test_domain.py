import asyncio
from typing import Any, cast

import pytest

from merchant import domain
from merchant.normalise import normalise
from merchant.tables import MERCHANTS
from smartbank import timeutil
from smartbank.contracts.merchant import Merchant
from smartbank.errors import ServiceError
from smartbank.storage import Result, TableStore
from smartbank.testing import memory_store

MERCHANT_KEYS = {"id", "group_id", "name", "logo", "emoji", "category", "created", "address"}
ADDRESS_KEYS = {"address", "city", "country", "latitude", "longitude", "postcode", "region"}


class RacingStore:
    """Holds every insert until `racers` of them wait, so all racers read before any writes."""

    def __init__(self, inner: TableStore, racers: int) -> None:
        self.inner = inner
        self.barrier = asyncio.Barrier(racers)
        self.applied = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def insert(self, *args: Any, **kwargs: Any) -> Result:
        await self.barrier.wait()
        result: Result = await self.inner.insert(*args, **kwargs)
        self.applied += result.applied
        return result


def assert_is_merchant(merchant: Merchant) -> None:
    assert set(merchant.model_dump()) == MERCHANT_KEYS
    assert merchant.id.startswith("merch_") and merchant.group_id.startswith("grp_")
    assert set(merchant.address.model_dump()) == ADDRESS_KEYS
    assert isinstance(merchant.address.latitude, float)
    assert isinstance(merchant.address.longitude, float)
    timeutil.parse_time(merchant.created)


@pytest.mark.parametrize(
    ("descriptor", "mcc", "name", "category"),
    [
        ("STARBUCKS 1234 LONDON GBR", "5814", "Starbucks", "eating_out"),
        ("TFL TRAVEL CH", "4111", "Transport for London", "transport"),
        ("AMZNMKTPLACE PMTS", "5999", "Amazon", "shopping"),
        ("PRET A MANGER 0423", "5812", "Pret A Manger", "eating_out"),
        ("NETFLIX.COM", "4899", "Netflix", "entertainment"),
    ],
)
async def test_resolve_known_descriptor_gives_catalogue_merchant(
    store: TableStore, descriptor: str, mcc: str, name: str, category: str
) -> None:
    merchant = await domain.resolve(store, descriptor, mcc)
    assert_is_merchant(merchant)
    assert (merchant.name, merchant.category) == (name, category)
    assert merchant.logo.startswith("https://") and merchant.emoji
    assert merchant.address.city and merchant.address.postcode
    assert await domain.get_merchant(store, merchant.id) == merchant


async def test_resolve_unknown_descriptor_creates_merchant(store: TableStore) -> None:
    merchant = await domain.resolve(store, "SQ *JOE'S CAFE 12 LONDON GBR", "5814")
    assert_is_merchant(merchant)
    assert merchant.name == "Joes Cafe"
    assert (merchant.category, merchant.emoji) == ("eating_out", "🍽️")
    assert merchant.logo == ""
    assert merchant.address.model_dump() == {
        "address": "",
        "city": "",
        "country": "",
        "latitude": 0.0,
        "longitude": 0.0,
        "postcode": "",
        "region": "",
    }
    assert await domain.get_merchant(store, merchant.id) == merchant


@pytest.mark.parametrize(("mcc", "category"), [("", "general"), ("4121", "transport")])
async def test_resolve_unknown_descriptor_takes_category_from_mcc(
    store: TableStore, mcc: str, category: str
) -> None:
    merchant = await domain.resolve(store, "ACME WIDGETS", mcc)
    assert merchant.category == category


async def test_resolve_variants_of_one_descriptor_give_one_merchant(store: TableStore) -> None:
    first = await domain.resolve(store, "JOES CAFE 12 LONDON GBR", "5814")
    await asyncio.sleep(0.002)
    again = await domain.resolve(store, "joe's cafe 0077", "5999")
    assert again == first
    assert (await domain.resolve(store, "JOES BAKERY", "5814")).id != first.id


async def test_resolve_concurrently_creates_merchant_exactly_once(store: TableStore) -> None:
    racing = RacingStore(store, racers=20)
    descriptors = [f"NEW PLACE {n:04d} LONDON GBR" for n in range(20)]
    async with asyncio.timeout(5):
        resolved = await asyncio.gather(
            *(domain.resolve(cast(TableStore, racing), d, "5812") for d in descriptors)
        )
    assert racing.applied == 1
    assert all(merchant == resolved[0] for merchant in resolved)
    assert await domain.get_merchant(store, resolved[0].id) == resolved[0]


async def test_resolve_in_separate_deployments_names_merchant_the_same() -> None:
    ids = []
    for _ in range(2):
        async with memory_store([MERCHANTS]) as store:
            ids.append((await domain.resolve(store, "ACME WIDGETS", "")).id)
    assert ids[0] == ids[1]


@pytest.mark.parametrize(
    ("descriptor", "mcc", "code"),
    [
        ("", "5812", "bad_request.invalid_descriptor"),
        ("   ", "5812", "bad_request.invalid_descriptor"),
        ("*** / ***", "5812", "bad_request.invalid_descriptor"),
        ("ACME WIDGETS " + "X" * 100, "5812", "bad_request.invalid_descriptor"),
        ("ACME WIDGETS", "581", "bad_request.invalid_mcc"),
        ("ACME WIDGETS", "58120", "bad_request.invalid_mcc"),
        ("ACME WIDGETS", "58a2", "bad_request.invalid_mcc"),
        ("ACME WIDGETS", "٥٨١٢", "bad_request.invalid_mcc"),
    ],
)
async def test_resolve_bad_input_is_refused_and_writes_nothing(
    store: TableStore, descriptor: str, mcc: str, code: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        await domain.resolve(store, descriptor, mcc)
    assert caught.value.code == code
    assert caught.value.status == 400
    key = normalise(descriptor) or "ACME WIDGETS"
    assert await store.get(MERCHANTS, {"merchant_id": domain.merchant_id_for(key)}) is None


async def test_get_merchant_when_unknown_is_not_found(store: TableStore) -> None:
    with pytest.raises(ServiceError) as caught:
        await domain.get_merchant(store, "merch_missing")
    assert caught.value.code == "not_found.merchant"
    assert caught.value.params == {"merchant_id": "merch_missing"}


async def test_get_merchants_returns_known_ones_by_id(store: TableStore) -> None:
    created = await domain.resolve(store, "ACME WIDGETS", "5999")
    starbucks = await domain.resolve(store, "STARBUCKS 1234", "5814")
    wanted = [created.id, "merch_missing", starbucks.id, created.id]
    found = await domain.get_merchants(store, wanted)
    assert found == {created.id: created, starbucks.id: starbucks}
    assert await domain.get_merchants(store, []) == {}
