"""What the merchant service answers: enrichment resolves descriptors, the feed generator and
the edge read merchants by id."""

from __future__ import annotations

from smartbank.contracts import Contract


class Address(Contract):
    address: str
    city: str
    country: str
    latitude: float
    longitude: float
    postcode: str
    region: str


class Merchant(Contract):
    id: str
    group_id: str
    name: str
    logo: str
    emoji: str
    category: str
    created: str
    address: Address


class FoundMerchant(Contract):
    """GET /merchants/{merchant_id} and POST /merchants/resolve."""

    merchant: Merchant


class Merchants(Contract):
    """POST /merchants/batch: the ones found, by id; an unknown id is left out."""

    merchants: dict[str, Merchant]


class Descriptor(Contract):
    """POST /merchants/resolve: a card descriptor and its merchant category code."""

    descriptor: str
    mcc: str = ""
