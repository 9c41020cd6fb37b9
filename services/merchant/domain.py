from __future__ import annotations

import asyncio
import re
import string
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from merchant import catalogue
from merchant.catalogue import Known
from merchant.categories import EMOJI_BY_CATEGORY, category_for_mcc
from merchant.normalise import normalise
from merchant.tables import MERCHANTS
from smartbank import errors, ids, timeutil
from smartbank.contracts.merchant import Address, Merchant
from smartbank.storage import Row, TableStore

MAX_DESCRIPTOR_LENGTH = 100
NO_ADDRESS: dict[str, Any] = {
    "address": "",
    "city": "",
    "country": "",
    "latitude": 0.0,
    "longitude": 0.0,
    "postcode": "",
    "region": "",
}
_MCC = re.compile(r"[0-9]{4}")


async def resolve(store: TableStore, descriptor: str, mcc: str = "") -> Merchant:
    key = descriptor_key(descriptor, mcc)
    known = catalogue.find(key)
    if known is not None:
        return known_json(known)
    return merchant_json(await _stored_or_created(store, key, mcc))


async def get_merchant(store: TableStore, merchant_id: str) -> Merchant:
    merchant = await _find(store, merchant_id)
    if merchant is None:
        raise errors.not_found("merchant", f"no merchant {merchant_id}", merchant_id=merchant_id)
    return merchant


async def get_merchants(store: TableStore, merchant_ids: Iterable[str]) -> dict[str, Merchant]:
    unique = list(dict.fromkeys(merchant_ids))
    found = await asyncio.gather(*(_find(store, merchant_id) for merchant_id in unique))
    return {m: merchant for m, merchant in zip(unique, found, strict=True) if merchant is not None}


def descriptor_key(descriptor: str, mcc: str) -> str:
    if len(descriptor) > MAX_DESCRIPTOR_LENGTH:
        raise errors.bad_request(
            "invalid_descriptor",
            f"descriptor is longer than {MAX_DESCRIPTOR_LENGTH} characters",
            max_length=MAX_DESCRIPTOR_LENGTH,
        )
    if mcc and not _MCC.fullmatch(mcc):
        raise errors.bad_request("invalid_mcc", "mcc must be four digits", mcc=mcc)
    key = normalise(descriptor)
    if not key:
        raise errors.bad_request(
            "invalid_descriptor", "descriptor names no merchant", descriptor=descriptor
        )
    return key


def merchant_id_for(key: str) -> str:
    return ids.derived_id("merch", "descriptor", key)


def merchant_json(row: Row) -> Merchant:
    return Merchant(
        id=row["merchant_id"],
        group_id=row["group_id"],
        name=row["name"],
        logo=row["logo"],
        emoji=row["emoji"],
        category=row["category"],
        created=row["created"],
        address=Address(**{**NO_ADDRESS, **row["address"]}),
    )


def known_json(known: Known) -> Merchant:
    return Merchant(
        id=known.id,
        group_id=known.group_id,
        name=known.name,
        logo=known.logo,
        emoji=known.emoji,
        category=known.category,
        created=catalogue.CATALOGUED,
        address=Address(**asdict(known.address)),
    )


def _new_row(key: str, mcc: str) -> Row:
    category = category_for_mcc(mcc)
    return {
        "merchant_id": merchant_id_for(key),
        "group_id": ids.derived_id("grp", "descriptor_group", key),
        "name": string.capwords(key),
        "logo": "",
        "emoji": EMOJI_BY_CATEGORY[category],
        "category": category,
        "created": timeutil.now_text(),
        "address": dict(NO_ADDRESS),
        "descriptor_key": key,
        "mcc": mcc,
    }


async def _stored_or_created(store: TableStore, key: str, mcc: str) -> Row:
    row = _new_row(key, mcc)
    stored = await store.get(MERCHANTS, {"merchant_id": row["merchant_id"]})
    if stored is not None:
        return stored
    result = await store.insert(MERCHANTS, row, if_not_exists=True)
    if result.applied:
        return row
    return result.current or await _load(store, row["merchant_id"])


async def _find(store: TableStore, merchant_id: str) -> Merchant | None:
    known = catalogue.BY_ID.get(merchant_id)
    if known is not None:
        return known_json(known)
    row = await store.get(MERCHANTS, {"merchant_id": merchant_id})
    return merchant_json(row) if row is not None else None


async def _load(store: TableStore, merchant_id: str) -> Row:
    row = await store.get(MERCHANTS, {"merchant_id": merchant_id})
    if row is None:
        raise errors.unavailable("merchant_race", "the merchant could not be read back")
    return row
