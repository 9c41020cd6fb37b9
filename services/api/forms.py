"""The form bodies of the public API, as API.md names their keys."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=200)]
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]


def whole_number(value: object) -> object:
    """Forms send text: only digits are a whole number (not `10.0`, `1_0` or ` 5`)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number of minor units, digits only")
    return value


Amount = Annotated[
    int,
    BeforeValidator(whole_number),
    Field(gt=0, le=10**12, description="minor units, a positive integer"),
]
Url = Annotated[str, Field(min_length=1, max_length=2000)]


class Form(BaseModel):
    """Keys are matched exactly as sent (`params[title]`), never by the field's name."""


class NewFeedItem(Form):
    account_id: Id
    type: Literal["basic"]
    title: str = Field(alias="params[title]", min_length=1, max_length=200)
    image_url: Url = Field(alias="params[image_url]")
    body: str = Field(default="", alias="params[body]", max_length=2000)
    background_color: Color | None = Field(default=None, alias="params[background_color]")
    title_color: Color | None = Field(default=None, alias="params[title_color]")
    body_color: Color | None = Field(default=None, alias="params[body_color]")
    url: str = Field(default="", max_length=2000)


class Annotation(Form):
    """`metadata[key]=value`; an empty value deletes the key, `metadata[notes]` sets notes."""

    model_config = ConfigDict(extra="allow")
    notes: str | None = Field(default=None, alias="metadata[notes]", max_length=5000)


class NewWebhook(Form):
    account_id: Id
    url: Url


class PotDeposit(Form):
    source_account_id: Id
    amount: Amount
    dedupe_id: Id


class PotWithdrawal(Form):
    destination_account_id: Id
    amount: Amount
    dedupe_id: Id


class CardToggle(Form):
    card_id: Id
    status: Literal["ACTIVE", "INACTIVE"]
