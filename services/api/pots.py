from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.access import Caller, CallerDep
from api.calls import path
from api.forms import Id, PotDeposit, PotWithdrawal
from api.models import Pot, Pots, shape
from smartbank.contracts import balance as internal
from smartbank.forms import form_body, form_of

router = APIRouter(tags=["pots"])


@router.get("/pots", response_model=None, responses={200: {"model": Pots}})
async def list_pots(
    caller: CallerDep, current_account_id: Annotated[Id, Query()]
) -> dict[str, Any]:
    await caller.account(current_account_id)
    pots_path = path("/accounts/{}/pots", current_account_id)
    found = await caller.call("balance", "GET", pots_path, reply=internal.Pots)
    return {"pots": [shape(Pot, pot) for pot in found.pots]}


@router.put(
    "/pots/{pot_id}/deposit",
    response_model=None,
    responses={200: {"model": Pot}},
    openapi_extra=form_body(PotDeposit),
)
async def deposit(
    caller: CallerDep, pot_id: str, form: Annotated[PotDeposit, Depends(form_of(PotDeposit))]
) -> dict[str, Any]:
    return await move(caller, pot_id, "deposit", form.source_account_id, form)


@router.put(
    "/pots/{pot_id}/withdraw",
    response_model=None,
    responses={200: {"model": Pot}},
    openapi_extra=form_body(PotWithdrawal),
)
async def withdraw(
    caller: CallerDep,
    pot_id: str,
    form: Annotated[PotWithdrawal, Depends(form_of(PotWithdrawal))],
) -> dict[str, Any]:
    return await move(caller, pot_id, "withdraw", form.destination_account_id, form)


async def move(
    caller: Caller, pot_id: str, direction: str, account_id: str, form: PotDeposit | PotWithdrawal
) -> dict[str, Any]:
    """Money into or out of the caller's own pot, from or to the caller's own account."""
    await owned_pot(caller, pot_id)
    await caller.account(account_id)
    moved = await caller.call(
        "balance",
        "PUT",
        path("/pots/{}/{}", pot_id, direction),
        json=form.model_dump(),
        reply=internal.Pot,
    )
    return shape(Pot, moved)


async def owned_pot(caller: Caller, pot_id: str) -> internal.Pot:
    found = await caller.call("balance", "GET", path("/pots/{}", pot_id), reply=internal.Pot)
    return await caller.owned("pot", found)
