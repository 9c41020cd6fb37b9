from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from auth import clients, customers, mail, tokens
from auth.settings import Settings
from smartbank import params
from smartbank.contracts.auth import AccessToken, Customer, Principal
from smartbank.deps import StoreDep, settings_of

router = APIRouter()

AuthSettingsDep = Annotated[Settings, Depends(settings_of(Settings))]


class NewCustomer(BaseModel):
    name: str = Field(min_length=1)
    email: str | None = None


class NewClient(BaseModel):
    name: str = Field(min_length=1)
    redirect_uris: list[str] = Field(min_length=1)


class NewToken(BaseModel):
    user_id: str = Field(min_length=1)
    client_id: str = Field(default=tokens.DEFAULT_CLIENT_ID, min_length=1)


@router.post("/customers")
async def create_customer(body: NewCustomer, store: StoreDep) -> dict[str, Any]:
    return await customers.create_customer(store, body.name, body.email)


@router.get("/customers")
async def list_customers(store: StoreDep, limit: str | None = None) -> dict[str, Any]:
    listed = await customers.list_customers(store, params.parse_limit(limit))
    return {"customers": listed}


@router.get("/customers/{user_id}")
async def get_customer(user_id: str, store: StoreDep) -> Customer:
    return Customer(**await customers.get_customer(store, user_id))


@router.post("/clients")
async def create_client(body: NewClient, store: StoreDep) -> dict[str, Any]:
    """Register an OAuth client; its `secret` is in this answer only, never again."""
    return await clients.create_client(store, body.name, body.redirect_uris)


@router.get("/clients/{client_id}")
async def get_client(client_id: str, store: StoreDep) -> dict[str, Any]:
    return await clients.get_client(store, client_id)


@router.post("/tokens")
async def issue_token(body: NewToken, store: StoreDep, settings: AuthSettingsDep) -> dict[str, Any]:
    return await tokens.issue_token(store, body.user_id, settings.access_token_ttl, body.client_id)


@router.post("/tokens/verify")
async def verify_token(body: AccessToken, store: StoreDep) -> Principal:
    return Principal(**await tokens.verify_token(store, body.access_token))


@router.post("/tokens/revoke")
async def revoke_token(body: AccessToken, store: StoreDep) -> dict[str, Any]:
    await tokens.revoke_token(store, body.access_token)
    return {}


@router.get("/mail")
async def list_mail(store: StoreDep, to: str = "", limit: str | None = None) -> dict[str, Any]:
    """The outbox, newest first, so login links can be followed on a local stack."""
    return {"mail": await mail.list_mail(store, to, params.parse_limit(limit))}
