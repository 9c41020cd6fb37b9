from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.access import CallerDep
from api.calls import path
from api.forms import CardToggle, Id
from api.models import Card, Cards, OneCard, shape
from smartbank.contracts import cards as internal
from smartbank.forms import form_body, form_of

router = APIRouter(tags=["cards"])


@router.get("/card/list", response_model=None, responses={200: {"model": Cards}})
async def list_cards(caller: CallerDep, account_id: Annotated[Id, Query()]) -> dict[str, Any]:
    await caller.account(account_id)
    found = await caller.call(
        "cards", "GET", "/cards", params={"account_id": account_id}, reply=internal.Cards
    )
    return {"cards": [shape(Card, card) for card in found.cards]}


@router.put(
    "/card/toggle",
    response_model=None,
    responses={200: {"model": OneCard}},
    openapi_extra=form_body(CardToggle),
)
async def toggle(
    caller: CallerDep, form: Annotated[CardToggle, Depends(form_of(CardToggle))]
) -> dict[str, Any]:
    card = await caller.call("cards", "GET", path("/cards/{}", form.card_id), reply=internal.Card)
    await caller.owned("card", card)
    changed = await caller.call(
        "cards",
        "PUT",
        path("/cards/{}/status", form.card_id),
        json=internal.NewStatus(status=form.status),
        reply=internal.Card,
    )
    return {"card": shape(Card, changed)}
