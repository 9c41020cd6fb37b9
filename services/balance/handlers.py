from fastapi import APIRouter
from pydantic import BaseModel, StrictInt, StrictStr

from balance import accounts, holds, postings, pot_moves, pots
from smartbank.contracts import balance as contract
from smartbank.contracts.balance import (
    Account,
    Accounts,
    Capture,
    Hold,
    NewHold,
    NewPosting,
    Posting,
    Pot,
    Pots,
    Release,
)
from smartbank.deps import StoreDep

router = APIRouter()


class NewAccount(BaseModel):
    user_id: StrictStr
    currency: StrictStr = "GBP"
    description: StrictStr | None = None
    account_id: StrictStr | None = None


class NewPot(BaseModel):
    name: StrictStr
    style: StrictStr = pots.DEFAULT_STYLE
    pot_id: StrictStr | None = None


class PotDeposit(BaseModel):
    source_account_id: StrictStr
    amount: StrictInt
    dedupe_id: StrictStr


class PotWithdrawal(BaseModel):
    destination_account_id: StrictStr
    amount: StrictInt
    dedupe_id: StrictStr


@router.post("/accounts")
async def create_account(body: NewAccount, store: StoreDep) -> Account:
    return await accounts.create(
        store, body.user_id, body.currency, body.description, body.account_id
    )


@router.get("/accounts")
async def list_accounts(user_id: str, store: StoreDep) -> Accounts:
    return Accounts(accounts=await accounts.list_for_user(store, user_id))


@router.get("/accounts/{account_id}")
async def get_account(account_id: str, store: StoreDep) -> Account:
    return await accounts.get(store, account_id)


@router.get("/accounts/{account_id}/balance")
async def get_balance(account_id: str, store: StoreDep) -> contract.Balance:
    return contract.Balance(**(await pots.balance_with_pots(store, account_id)).to_dict())


@router.post("/accounts/{account_id}/holds")
async def reserve(account_id: str, body: NewHold, store: StoreDep) -> Hold:
    return await holds.reserve(
        store, account_id, body.hold_id, body.amount, body.currency, body.expires_at
    )


@router.get("/accounts/{account_id}/holds/{hold_id}")
async def get_hold(account_id: str, hold_id: str, store: StoreDep) -> Hold:
    return await holds.get(store, account_id, hold_id)


@router.post("/accounts/{account_id}/holds/{hold_id}/capture")
async def capture(account_id: str, hold_id: str, body: Capture, store: StoreDep) -> Hold:
    return await holds.capture(
        store, account_id, hold_id, body.amount, body.currency, body.tolerance
    )


@router.post("/accounts/{account_id}/holds/{hold_id}/release")
async def release(account_id: str, hold_id: str, body: Release, store: StoreDep) -> Hold:
    return await holds.release(store, account_id, hold_id, body.release_id, body.amount)


@router.post("/accounts/{account_id}/postings")
async def post(account_id: str, body: NewPosting, store: StoreDep) -> Posting:
    return await postings.post(
        store, account_id, body.posting_id, body.amount, body.currency, body.description
    )


@router.post("/accounts/{account_id}/pots")
async def create_pot(account_id: str, body: NewPot, store: StoreDep) -> Pot:
    return await pots.create(store, account_id, body.name, body.style, body.pot_id)


@router.get("/accounts/{account_id}/pots")
async def list_pots(account_id: str, store: StoreDep) -> Pots:
    return Pots(pots=await pots.list_for_account(store, account_id))


@router.get("/pots/{pot_id}")
async def get_pot(pot_id: str, store: StoreDep) -> Pot:
    return await pots.get(store, pot_id)


@router.delete("/pots/{pot_id}")
async def delete_pot(pot_id: str, store: StoreDep) -> Pot:
    return await pots.delete(store, pot_id)


@router.put("/pots/{pot_id}/deposit")
async def deposit(pot_id: str, body: PotDeposit, store: StoreDep) -> Pot:
    return await pot_moves.deposit(
        store, pot_id, body.source_account_id, body.amount, body.dedupe_id
    )


@router.put("/pots/{pot_id}/withdraw")
async def withdraw(pot_id: str, body: PotWithdrawal, store: StoreDep) -> Pot:
    return await pot_moves.withdraw(
        store, pot_id, body.destination_account_id, body.amount, body.dedupe_id
    )
