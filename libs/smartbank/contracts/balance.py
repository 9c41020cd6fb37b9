"""What the balance service answers and the requests its callers build: card-processing places,
captures and releases holds and posts; the edge reads accounts, balances and pots."""

from __future__ import annotations

from pydantic import StrictInt, StrictStr

from smartbank.contracts import Contract, absent_when_none


class Account(Contract):
    id: str
    user_id: str
    currency: str
    description: str
    type: str
    account_number: str
    sort_code: str
    created: str
    closed: bool


class Accounts(Contract):
    accounts: list[Account]


class Balance(Contract):
    """Minor units: `balance` is what can be spent (ledger less holds), `total_balance` adds
    what sits in pots."""

    account_id: str
    currency: str
    balance: int
    ledger_balance: int
    held: int
    total_balance: int


class Hold(Contract):
    """Money reserved for an authorisation until it is captured, released or expires."""

    hold_id: str
    account_id: str
    amount: int
    original_amount: int
    captured_amount: int
    currency: str
    state: str
    expires_at: str


class Posting(Contract):
    posting_id: str
    account_id: str
    amount: int
    currency: str
    description: str
    created: str


class Pot(Contract):
    id: str
    account_id: str
    name: str
    style: str
    balance: int
    currency: str
    created: str
    updated: str
    deleted: bool


class Pots(Contract):
    pots: list[Pot]


class NewHold(Contract):
    """POST /accounts/{account_id}/holds: idempotent by `hold_id`."""

    hold_id: StrictStr
    amount: StrictInt
    currency: StrictStr
    expires_at: StrictStr


class Capture(Contract):
    """POST .../holds/{hold_id}/capture: at most the hold plus `tolerance`."""

    amount: StrictInt
    currency: StrictStr
    tolerance: StrictInt = 0


class Release(Contract):
    """POST .../holds/{hold_id}/release: all of it, or `amount` of it."""

    release_id: StrictStr
    amount: StrictInt | None = absent_when_none()


class NewPosting(Contract):
    """POST /accounts/{account_id}/postings: idempotent by `posting_id`."""

    posting_id: StrictStr
    amount: StrictInt
    currency: StrictStr
    description: StrictStr = ""
