from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from apns import devices, pushes
from smartbank.deps import StoreDep

router = APIRouter()

UserId = Annotated[str, Query(min_length=1)]


class NewDevice(BaseModel):
    user_id: str = Field(min_length=1)
    token: str = Field(min_length=1)
    platform: str = "ios"


@router.post("/devices")
async def register_device(body: NewDevice, store: StoreDep) -> dict[str, Any]:
    device = await devices.register(
        store, user_id=body.user_id, token=body.token, platform=body.platform
    )
    return {"device": device}


@router.delete("/devices/{token}")
async def remove_device(token: str, user_id: UserId, store: StoreDep) -> dict[str, Any]:
    await devices.remove(store, user_id=user_id, token=token)
    return {}


@router.get("/devices")
async def list_devices(user_id: UserId, store: StoreDep) -> dict[str, Any]:
    return {"devices": await devices.list_devices(store, user_id)}


@router.get("/pushes")
async def list_pushes(
    account_id: Annotated[str, Query(min_length=1)],
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> dict[str, Any]:
    return {"pushes": await pushes.list_pushes(store, account_id, limit)}
