from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from auth import domain
from auth.settings import Settings
from smartbank.deps import StoreDep, settings_of

router = APIRouter()


AuthSettingsDep = Annotated[Settings, Depends(settings_of(Settings))]


class NewCustomer(BaseModel):
    name: str = Field(min_length=1)
    email: str | None = None


class NewToken(BaseModel):
    user_id: str = Field(min_length=1)
    client_id: str = Field(default=domain.DEFAULT_CLIENT_ID, min_length=1)


class AccessToken(BaseModel):
    access_token: str


@router.post("/customers")
async def create_customer(body: NewCustomer, store: StoreDep) -> dict[str, Any]:
    return await domain.create_customer(store, body.name, body.email)


@router.get("/customers/{user_id}")
async def get_customer(user_id: str, store: StoreDep) -> dict[str, Any]:
    return await domain.get_customer(store, user_id)


@router.post("/tokens")
async def issue_token(body: NewToken, store: StoreDep, settings: AuthSettingsDep) -> dict[str, Any]:
    return await domain.issue_token(store, body.user_id, settings.access_token_ttl, body.client_id)


@router.post("/tokens/verify")
async def verify_token(body: AccessToken, store: StoreDep) -> dict[str, Any]:
    return await domain.verify_token(store, body.access_token)


@router.post("/tokens/revoke")
async def revoke_token(body: AccessToken, store: StoreDep) -> dict[str, Any]:
    await domain.revoke_token(store, body.access_token)
    return {}
