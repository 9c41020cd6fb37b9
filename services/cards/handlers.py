from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from cards import domain
from smartbank.contracts.cards import Card, Cards, NewStatus, UsableCard
from smartbank.deps import StoreDep

router = APIRouter()


class NewCard(BaseModel):
    account_id: str = Field(min_length=1)
    user_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    expires: str | None = None


@router.post("/cards")
async def create_card(body: NewCard, store: StoreDep) -> Card:
    return await domain.create_card(
        store,
        account_id=body.account_id,
        user_id=body.user_id,
        name=body.name,
        expires=body.expires,
    )


@router.get("/cards")
async def list_cards(account_id: str, store: StoreDep) -> Cards:
    return Cards(cards=await domain.list_cards(store, account_id))


@router.get("/cards/by-token/{token}")
async def get_card_by_token(token: str, store: StoreDep) -> UsableCard:
    return await domain.get_card_by_token(store, token)


@router.get("/cards/{card_id}")
async def get_card(card_id: str, store: StoreDep) -> Card:
    return await domain.get_card(store, card_id)


@router.put("/cards/{card_id}/status")
async def set_status(card_id: str, body: NewStatus, store: StoreDep) -> Card:
    return await domain.set_status(store, card_id, body.status)
