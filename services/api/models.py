"""The public shapes, exactly as API.md writes them.

Each model documents a response in the OpenAPI document and also projects the internal answer
onto it (`shape`): keys the public API does not have are dropped, a missing one is a bug
that fails loudly rather than a silently different body.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from smartbank.vocabulary import Category, DeclineReason

M = TypeVar("M", bound=BaseModel)


def shape(model: type[M], internal: BaseModel | dict[str, Any]) -> dict[str, Any]:
    """`internal` (a contract model, or its fields) as the public `model` has it."""
    fields = internal.model_dump() if isinstance(internal, BaseModel) else internal
    return model.model_validate(fields).model_dump(exclude_unset=True)


class Empty(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WhoAmI(BaseModel):
    authenticated: bool
    client_id: str
    user_id: str


class Owner(BaseModel):
    user_id: str
    preferred_name: str


class Account(BaseModel):
    id: str
    description: str
    created: str
    closed: bool
    type: str
    currency: str
    country_code: str
    owners: list[Owner]
    account_number: str
    sort_code: str


class Accounts(BaseModel):
    accounts: list[Account]


class Balance(BaseModel):
    balance: int
    total_balance: int
    currency: str
    spend_today: int


class Address(BaseModel):
    address: str
    city: str
    country: str
    latitude: float
    longitude: float
    postcode: str
    region: str


class Merchant(BaseModel):
    id: str
    group_id: str
    name: str
    logo: str
    emoji: str
    category: Category
    created: str
    address: Address


class Transaction(BaseModel):
    id: str
    account_id: str
    amount: int
    currency: str
    created: str
    description: str
    merchant: Merchant | str | None
    metadata: dict[str, str]
    notes: str
    is_load: bool
    settled: str
    category: Category
    decline_reason: DeclineReason | None = Field(
        default=None, description="present on declined transactions only"
    )


class Transactions(BaseModel):
    transactions: list[Transaction]


class OneTransaction(BaseModel):
    transaction: Transaction


class FeedItem(BaseModel):
    id: str
    account_id: str
    type: str
    title: str
    body: str
    image_url: str
    url: str
    transaction_id: str | None
    created: str


class FeedItems(BaseModel):
    feed_items: list[FeedItem]


class Webhook(BaseModel):
    id: str
    account_id: str
    url: str


class NewWebhook(Webhook):
    secret: str = Field(description="signs deliveries (HMAC-SHA256); shown only at creation")


class Webhooks(BaseModel):
    webhooks: list[Webhook]


class OneWebhook(BaseModel):
    webhook: NewWebhook


class Pot(BaseModel):
    id: str
    name: str
    style: str
    balance: int
    currency: str
    created: str
    updated: str
    deleted: bool


class Pots(BaseModel):
    pots: list[Pot]


class Card(BaseModel):
    id: str
    account_id: str
    processor_token: str
    last_digits: str
    name: str
    expires: str
    status: Literal["ACTIVE", "INACTIVE", "BLOCKED"]
    created: str


class Cards(BaseModel):
    cards: list[Card]


class OneCard(BaseModel):
    card: Card


class Error(BaseModel):
    code: str
    message: str
    params: dict[str, Any] = {}
    error: str | None = Field(default=None, description="on authentication errors")
    error_description: str | None = None
