from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.access import Caller, CallerDep
from api.calls import path
from api.forms import Annotation, Id
from api.models import OneTransaction, Transaction, Transactions, shape
from smartbank import errors
from smartbank.contracts import transactions as internal
from smartbank.contracts.merchant import Merchant, Merchants
from smartbank.forms import bracket_map, form_body, read_form, validate

router = APIRouter(tags=["transactions"])

Expand = Annotated[list[str] | None, Query(alias="expand[]", description="`merchant`")]
Time = Annotated[str | None, Query(max_length=64)]


@router.get("/transactions", response_model=None, responses={200: {"model": Transactions}})
async def list_transactions(
    caller: CallerDep,
    account_id: Annotated[Id, Query()],
    since: Time = None,
    before: Time = None,
    limit: Annotated[str | None, Query(max_length=10)] = None,
    expand: Expand = None,
) -> dict[str, Any]:
    await caller.account(account_id)
    params = {"account_id": account_id, "since": since, "before": before, "limit": limit}
    found = await caller.call(
        "transactions",
        "GET",
        "/transactions",
        params={key: value for key, value in params.items() if value is not None},
        reply=internal.Transactions,
    )
    return {"transactions": await public(caller, found.transactions, expand)}


@router.get(
    "/transactions/{transaction_id}",
    response_model=None,
    responses={200: {"model": OneTransaction}},
)
async def get_transaction(
    caller: CallerDep, transaction_id: str, expand: Expand = None
) -> dict[str, Any]:
    found = await owned_transaction(caller, transaction_id)
    return {"transaction": (await public(caller, [found], expand))[0]}


@router.patch(
    "/transactions/{transaction_id}",
    response_model=None,
    responses={200: {"model": OneTransaction}},
    openapi_extra=form_body(Annotation),
)
async def annotate(
    caller: CallerDep, transaction_id: str, form: Annotated[dict[str, str], Depends(read_form)]
) -> dict[str, Any]:
    validate(Annotation, form)
    await owned_transaction(caller, transaction_id)
    changed = await caller.call(
        "transactions",
        "PATCH",
        path("/transactions/{}/annotations", transaction_id),
        json=internal.Annotations(metadata=bracket_map(form, "metadata")),
        reply=internal.AnnotatedTransaction,
    )
    return {"transaction": (await public(caller, [changed.transaction], None))[0]}


async def owned_transaction(caller: Caller, transaction_id: str) -> internal.Transaction:
    tx_path = path("/transactions/{}", transaction_id)
    found = await caller.call("transactions", "GET", tx_path, reply=internal.Transaction)
    return await caller.owned("transaction", found)


async def public(
    caller: Caller, found: list[internal.Transaction], expand: list[str] | None
) -> list[dict[str, Any]]:
    if expand and set(expand) - {"merchant"}:
        raise errors.bad_request("invalid_expand", "only expand[]=merchant is supported")
    if not expand:
        return [shape(Transaction, tx) for tx in found]
    merchants = await expanded_merchants(caller, found)
    return [shape(Transaction, expanded(tx, merchants)) for tx in found]


def expanded(tx: internal.Transaction, merchants: dict[str, Merchant]) -> dict[str, Any]:
    merchant = merchants.get(tx.merchant) if tx.merchant else None
    return {**tx.model_dump(), "merchant": merchant.model_dump() if merchant else None}


async def expanded_merchants(
    caller: Caller, found: list[internal.Transaction]
) -> dict[str, Merchant]:
    ids = sorted({tx.merchant for tx in found if tx.merchant})
    if not ids:
        return {}
    answer = await caller.call(
        "merchant", "POST", "/merchants/batch", json={"ids": ids}, reply=Merchants
    )
    return answer.merchants
