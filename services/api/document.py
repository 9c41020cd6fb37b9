"""The public API's OpenAPI document, served as checked in.

It describes what a client sees at the edge: the api's routes and auth's `/oauth2/` routes,
which the edge proxy sends to auth. A test regenerates it from both and fails when the
checked-in copy differs (`make openapi` writes it).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, Response

DOCUMENT = Path(__file__).with_name("openapi.json")

router = APIRouter()


@cache
def document() -> bytes:
    return DOCUMENT.read_bytes()


@router.get("/openapi.json", include_in_schema=False)
async def openapi() -> Response:
    return Response(document(), media_type="application/json")
