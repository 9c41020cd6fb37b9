"""What the transactions service answers and the requests card-processing and enrichment
build; the edge reads, lists and annotates transactions."""

from __future__ import annotations

from pydantic import Field, StrictBool, StrictInt, StrictStr

from smartbank.contracts import Contract, absent_when_none


class Transaction(Contract):
    """A transaction as the public API shows it, then the fields only services read.

    `merchant` is the merchant's id once enrichment has found it; `decline_reason` is there
    on declined transactions only."""

    id: str
    account_id: str
    amount: int
    currency: str
    created: str
    description: str
    merchant: str | None
    metadata: dict[str, str]
    notes: str
    is_load: bool
    settled: str
    category: str
    decline_reason: str | None = absent_when_none()
    status: str
    amount_authorised: int | None
    mcc: str | None
    merchant_descriptor: str | None
    card_id: str | None
    user_id: str | None
    version: int | None


class Transactions(Contract):
    transactions: list[Transaction]


class AnnotatedTransaction(Contract):
    """PATCH /transactions/{tx_id}/annotations answers the transaction as changed."""

    transaction: Transaction


class Spend(Contract):
    """Card spending since a time, in minor units (negative: money out)."""

    account_id: str
    since: str
    currency: str
    spend: int


class NewTransaction(Contract):
    """POST /transactions: idempotent by `id`; `status` is authorised, declined or settled."""

    id: str = Field(min_length=1)
    account_id: str = Field(min_length=1)
    amount: StrictInt
    currency: str
    description: str
    status: str
    decline_reason: str | None = absent_when_none()
    is_load: StrictBool = False
    category: str | None = None
    mcc: str | None = None
    merchant_descriptor: str | None = None
    card_id: str | None = None
    user_id: str | None = None
    created: str | None = None
    settled: str | None = None


class Settlement(Contract):
    """POST /transactions/{tx_id}/settle."""

    amount: StrictInt
    settled: str | None = absent_when_none()


class Reversal(Contract):
    """POST /transactions/{tx_id}/reverse: all of it, or `amount` of it while the amount is
    still `if_amount` (so a partial reversal sent again cannot take the part off twice)."""

    amount: StrictInt | None = absent_when_none()
    if_amount: StrictInt | None = absent_when_none()


class Decline(Contract):
    """POST /transactions/{tx_id}/decline."""

    decline_reason: str


class Enrichment(Contract):
    """POST /transactions/{tx_id}/enrichment: the merchant enrichment found."""

    merchant: str
    category: str


class Annotations(Contract):
    """PATCH /transactions/{tx_id}/annotations."""

    metadata: dict[str, StrictStr]
