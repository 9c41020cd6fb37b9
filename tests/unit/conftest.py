"""A tiny service used to test the platform library through its real onion."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from fastapi import APIRouter
from pydantic import BaseModel

from smartbank import context, errors
from smartbank.app import build_app
from smartbank.deps import RpcDep
from smartbank.service import Service
from smartbank.settings import PlatformSettings
from smartbank.storage import OutcomeUnknown, StorageError

router = APIRouter()


class Echo(BaseModel):
    amount: int


@router.get("/fail/{code}")
async def fail(code: str) -> dict[str, Any]:
    raise errors.ServiceError(code, f"asked to fail with {code}", detail="x")


@router.get("/crash")
async def crash() -> dict[str, Any]:
    raise RuntimeError("secret database password in this message")


@router.get("/storage/{fault}")
async def storage_fault(fault: str) -> dict[str, Any]:
    raise (OutcomeUnknown if fault == "unknown" else StorageError)(
        "Cassandra at 10.0.0.7 timed out"
    )


@router.get("/context")
async def show_context() -> dict[str, Any]:
    ctx = context.current()
    return {
        "remaining": ctx.remaining(),
        "principal": ctx.principal,
        "caller": ctx.caller,
        "request_id": ctx.request_id,
    }


@router.get("/sleep/{seconds}")
async def sleep(seconds: float) -> dict[str, Any]:
    await asyncio.sleep(seconds)
    return {"slept": seconds}


@router.post("/echo")
async def echo(body: Echo) -> dict[str, Any]:
    return {"amount": body.amount}


@router.get("/relay/{path:path}")
async def relay(path: str, rpc: RpcDep) -> dict[str, Any]:
    answer: dict[str, Any] = await rpc.call("cards", "GET", f"/{path}", idempotent=True)
    return {"relayed": answer}


probe = Service(name="probe", routers=[router])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports (all held open until each is known, so none repeats)."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


@pytest_asyncio.fixture
async def probe_url() -> AsyncIterator[str]:
    """The probe service served by uvicorn on a real 127.0.0.1 port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = PlatformSettings(storage="memory", access_log=True, mesh_url=url, port=port)
    built = build_app(probe, settings)
    server = uvicorn.Server(
        uvicorn.Config(built.asgi, host="127.0.0.1", port=port, log_config=None)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    yield url
    server.should_exit = True
    await task


@pytest.fixture
def probe_settings(probe_url: str) -> PlatformSettings:
    return PlatformSettings(storage="memory", mesh_url=probe_url)
