from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from smartbank.contracts import Done
from smartbank.contracts.webhook import (
    CreatedWebhook,
    FoundWebhook,
    SecretWebhook,
    Webhook,
    Webhooks,
)
from smartbank.deps import StoreDep, settings_of
from webhook import urls, webhooks
from webhook.settings import Settings

router = APIRouter()


async def get_resolver() -> urls.Resolver:
    return urls.system_resolve


ResolverDep = Annotated[urls.Resolver, Depends(get_resolver)]
WebhookSettings = Annotated[Settings, Depends(settings_of(Settings))]


class NewWebhook(BaseModel):
    account_id: str = Field(min_length=1)
    url: str


@router.post("/webhooks")
async def create_webhook(
    body: NewWebhook, store: StoreDep, settings: WebhookSettings, resolve: ResolverDep
) -> CreatedWebhook:
    """Register a URL for an account's events.

    The answer includes the webhook's signing `secret` (a smartbank extension to the Monzo
    shape): it is shown only here, at creation, and never again.
    """
    webhook = await webhooks.create_webhook(
        store,
        account_id=body.account_id,
        url=body.url,
        allow_private=settings.webhook_allow_private_addresses,
        resolve=resolve,
    )
    return CreatedWebhook(webhook=SecretWebhook(**webhook))


@router.get("/webhooks")
async def list_webhooks(account_id: str, store: StoreDep) -> Webhooks:
    found = await webhooks.list_webhooks(store, account_id)
    return Webhooks(webhooks=[Webhook(**webhook) for webhook in found])


@router.get("/webhooks/{webhook_id}")
async def get_webhook(webhook_id: str, store: StoreDep) -> FoundWebhook:
    return FoundWebhook(webhook=Webhook(**await webhooks.get_webhook(store, webhook_id)))


@router.delete("/webhooks/{webhook_id}")
async def delete_webhook(webhook_id: str, store: StoreDep) -> Done:
    await webhooks.delete_webhook(store, webhook_id)
    return Done()


@router.get("/webhooks/{webhook_id}/deliveries")
async def list_deliveries(webhook_id: str, store: StoreDep, limit: int = 50) -> dict[str, Any]:
    return {"deliveries": await webhooks.list_deliveries(store, webhook_id, limit)}
