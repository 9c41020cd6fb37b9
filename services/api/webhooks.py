from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.access import CallerDep
from api.calls import path
from api.forms import Id, NewWebhook
from api.models import Empty, OneWebhook, Webhook, Webhooks, shape
from api.models import NewWebhook as CreatedWebhook
from smartbank.contracts import Done
from smartbank.contracts import webhook as internal
from smartbank.forms import form_body, form_of

router = APIRouter(tags=["webhooks"])


@router.get("/webhooks", response_model=None, responses={200: {"model": Webhooks}})
async def list_webhooks(caller: CallerDep, account_id: Annotated[Id, Query()]) -> dict[str, Any]:
    await caller.account(account_id)
    found = await caller.call(
        "webhook", "GET", "/webhooks", params={"account_id": account_id}, reply=internal.Webhooks
    )
    return {"webhooks": [shape(Webhook, webhook) for webhook in found.webhooks]}


@router.post(
    "/webhooks",
    response_model=None,
    responses={200: {"model": OneWebhook}},
    openapi_extra=form_body(NewWebhook),
)
async def register(
    caller: CallerDep, form: Annotated[NewWebhook, Depends(form_of(NewWebhook))]
) -> dict[str, Any]:
    await caller.account(form.account_id)
    created = await caller.call(
        "webhook", "POST", "/webhooks", json=form.model_dump(), reply=internal.CreatedWebhook
    )
    return {"webhook": shape(CreatedWebhook, created.webhook)}


@router.delete("/webhooks/{webhook_id}", response_model=None, responses={200: {"model": Empty}})
async def delete(caller: CallerDep, webhook_id: str) -> dict[str, Any]:
    webhook_path = path("/webhooks/{}", webhook_id)
    found = await caller.call("webhook", "GET", webhook_path, reply=internal.FoundWebhook)
    await caller.owned("webhook", found.webhook)
    await caller.call("webhook", "DELETE", webhook_path, reply=Done)
    return {}
