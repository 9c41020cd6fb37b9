from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from merchant import domain
from smartbank.deps import StoreDep

MAX_BATCH = 100

router = APIRouter()


class Resolution(BaseModel):
    descriptor: str
    mcc: str = ""


class Batch(BaseModel):
    ids: list[str] = Field(max_length=MAX_BATCH)


@router.post("/merchants/resolve")
async def resolve(body: Resolution, store: StoreDep) -> dict[str, Any]:
    return {"merchant": await domain.resolve(store, body.descriptor, body.mcc)}


@router.post("/merchants/batch")
async def get_merchants(body: Batch, store: StoreDep) -> dict[str, Any]:
    return {"merchants": await domain.get_merchants(store, body.ids)}


@router.get("/merchants/{merchant_id}")
async def get_merchant(merchant_id: str, store: StoreDep) -> dict[str, Any]:
    return {"merchant": await domain.get_merchant(store, merchant_id)}
