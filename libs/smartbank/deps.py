"""Handler dependencies, so a handler's signature lists what it needs.

    async def get_card(card_id: str, store: StoreDep) -> dict: ...

They are `async def` on purpose: FastAPI runs plain `def` dependencies in a thread pool, which
costs a thread hop on every request for what is only an attribute lookup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from smartbank.rpc import Rpc
from smartbank.runtime import Runtime
from smartbank.settings import PlatformSettings, S
from smartbank.storage import TableStore


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> Runtime:
    return runtime_of(request)


async def get_store(request: Request) -> TableStore:
    return runtime_of(request).store


async def get_rpc(request: Request) -> Rpc:
    return runtime_of(request).rpc


async def get_settings(request: Request) -> PlatformSettings:
    return runtime_of(request).settings


def settings_of(cls: type[S]) -> Callable[[Request], Awaitable[S]]:
    """A dependency giving the service's own settings class, typed as such."""

    async def get(request: Request) -> S:
        return runtime_of(request).settings_as(cls)

    return get


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
StoreDep = Annotated[TableStore, Depends(get_store)]
RpcDep = Annotated[Rpc, Depends(get_rpc)]
SettingsDep = Annotated[PlatformSettings, Depends(get_settings)]
