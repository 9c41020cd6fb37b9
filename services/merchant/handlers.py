from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from merchant import domain
from smartbank.contracts.merchant import Descriptor, FoundMerchant, Merchants
from smartbank.deps import StoreDep

MAX_BATCH = 100

router = APIRouter()


class Batch(BaseModel):
    ids: list[str] = Field(max_length=MAX_BATCH)


@router.post("/merchants/resolve")
async def resolve(body: Descriptor, store: StoreDep) -> FoundMerchant:
    return FoundMerchant(merchant=await domain.resolve(store, body.descriptor, body.mcc))


@router.post("/merchants/batch")
async def get_merchants(body: Batch, store: StoreDep) -> Merchants:
    return Merchants(merchants=await domain.get_merchants(store, body.ids))


@router.get("/merchants/{merchant_id}")
async def get_merchant(merchant_id: str, store: StoreDep) -> FoundMerchant:
    return FoundMerchant(merchant=await domain.get_merchant(store, merchant_id))
