"""Liveness, readiness and metrics endpoints every service has."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from smartbank.deps import RuntimeDep
from smartbank.responses import JsonResponse

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz(runtime: RuntimeDep) -> dict[str, str]:
    return {"status": "ok", "service": runtime.service.name}


@router.get("/readyz")
async def readyz(runtime: RuntimeDep) -> Response:
    report = await runtime.readiness()
    report["service"] = runtime.service.name
    return JsonResponse(report, status_code=200 if report["ready"] else 503)


@router.get("/metrics")
async def metrics(runtime: RuntimeDep) -> Response:
    return Response(generate_latest(runtime.registry), media_type=CONTENT_TYPE_LATEST)
