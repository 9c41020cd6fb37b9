from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends

from smartbank.contracts import transactions as contract
from smartbank.contracts.transactions import (
    AnnotatedTransaction,
    Annotations,
    Decline,
    Enrichment,
    Reversal,
    Settlement,
    Spend,
    Transaction,
    Transactions,
)
from smartbank.deps import RuntimeDep, StoreDep
from transactions import annotation, domain, lifecycle, listing, spend
from transactions.jobs import RELAY

router = APIRouter()


async def relay_soon(runtime: RuntimeDep) -> AsyncIterator[None]:
    """After a change that wrote events, the outbox relay runs at once instead of at its tick."""
    yield
    runtime.nudge(RELAY)


WRITES_EVENTS = [Depends(relay_soon)]


@router.post("/transactions", dependencies=WRITES_EVENTS)
async def create_transaction(body: contract.NewTransaction, store: StoreDep) -> Transaction:
    return await domain.create_transaction(store, body)


@router.get("/transactions")
async def list_transactions(
    account_id: str,
    store: StoreDep,
    since: str | None = None,
    before: str | None = None,
    limit: str | None = None,
) -> Transactions:
    found = await listing.list_transactions(
        store, account_id, since=since, before=before, limit=limit
    )
    return Transactions(transactions=found)


@router.get("/transactions/spend")
async def spend_since(account_id: str, since: str, store: StoreDep) -> Spend:
    return await spend.spend_since(store, account_id, since)


@router.get("/transactions/{tx_id}")
async def get_transaction(tx_id: str, store: StoreDep) -> Transaction:
    return await domain.get_transaction(store, tx_id)


@router.post("/transactions/{tx_id}/settle", dependencies=WRITES_EVENTS)
async def settle(tx_id: str, body: Settlement, store: StoreDep) -> Transaction:
    return await lifecycle.settle(store, tx_id, body.amount, body.settled)


@router.post("/transactions/{tx_id}/reverse", dependencies=WRITES_EVENTS)
async def reverse(tx_id: str, store: StoreDep, body: Reversal | None = None) -> Transaction:
    if body is None:
        return await lifecycle.reverse(store, tx_id)
    return await lifecycle.reverse(store, tx_id, body.amount, if_amount=body.if_amount)


@router.post("/transactions/{tx_id}/decline", dependencies=WRITES_EVENTS)
async def decline(tx_id: str, body: Decline, store: StoreDep) -> Transaction:
    return await lifecycle.decline(store, tx_id, body.decline_reason)


@router.post("/transactions/{tx_id}/enrichment")
async def enrich(tx_id: str, body: Enrichment, store: StoreDep) -> Transaction:
    return await lifecycle.enrich(store, tx_id, body.merchant, body.category)


@router.patch("/transactions/{tx_id}/annotations")
async def annotate(tx_id: str, body: Annotations, store: StoreDep) -> AnnotatedTransaction:
    return AnnotatedTransaction(transaction=await annotation.annotate(store, tx_id, body.metadata))
