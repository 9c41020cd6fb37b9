from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from feed import domain, listing
from feed.validation import NewItem
from smartbank.deps import StoreDep

router = APIRouter()


class NewItemBody(BaseModel):
    account_id: str
    type: str
    id: str | None = None
    user_id: str | None = None
    title: str | None = None
    body: str | None = None
    image_url: str | None = None
    emoji: str | None = None
    url: str | None = None
    transaction_id: str | None = None
    background_color: str | None = None
    title_color: str | None = None
    body_color: str | None = None
    created: str | None = None


@router.post("/feed/items")
async def create_item(body: NewItemBody, store: StoreDep) -> dict[str, Any]:
    item, created = await domain.create_item(store, NewItem(**body.model_dump()))
    return {"feed_item": item, "created": created}


@router.get("/feed/items")
async def list_items(
    account_id: str, store: StoreDep, before: str | None = None, limit: str | None = None
) -> dict[str, Any]:
    found = await listing.list_items(store, account_id, before=before, limit=limit)
    return {"feed_items": found}


@router.get("/feed/items/{item_id}")
async def get_item(item_id: str, store: StoreDep) -> dict[str, Any]:
    return {"feed_item": await domain.get_item(store, item_id)}
