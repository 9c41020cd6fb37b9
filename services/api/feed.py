from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.access import CallerDep
from api.forms import Id, NewFeedItem
from api.models import Empty, FeedItem, FeedItems, shape
from smartbank.contracts import feed as internal
from smartbank.forms import form_body, form_of

router = APIRouter(tags=["feed"])


@router.post(
    "/feed",
    response_model=None,
    responses={200: {"model": Empty}},
    openapi_extra=form_body(NewFeedItem),
)
async def create_item(
    caller: CallerDep, form: Annotated[NewFeedItem, Depends(form_of(NewFeedItem))]
) -> dict[str, Any]:
    await caller.account(form.account_id)
    item = form.model_dump(exclude_none=True)
    body = internal.NewFeedItem(**item, user_id=caller.user_id)
    await caller.call("feed", "POST", "/feed/items", json=body, reply=internal.CreatedFeedItem)
    return {}


@router.get("/feed", response_model=None, responses={200: {"model": FeedItems}})
async def list_items(
    caller: CallerDep,
    account_id: Annotated[Id, Query()],
    limit: Annotated[str | None, Query(max_length=10)] = None,
    before: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    await caller.account(account_id)
    params = {"account_id": account_id, "limit": limit, "before": before}
    given = {key: value for key, value in params.items() if value is not None}
    found = await caller.call("feed", "GET", "/feed/items", params=given, reply=internal.FeedItems)
    return {"feed_items": [shape(FeedItem, item) for item in found.feed_items]}
