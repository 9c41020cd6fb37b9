"""Handler dependencies, so a handler's signature lists what it needs.

async def get_card(card_id: str, store: StoreDep) -> dict: ...
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from smartbank.rpc import Rpc
from smartbank.runtime import Runtime
from smartbank.settings import PlatformSettings
from smartbank.storage import TableStore


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_store(request: Request) -> TableStore:
    return get_runtime(request).store


def get_rpc(request: Request) -> Rpc:
    return get_runtime(request).rpc


def get_settings(request: Request) -> PlatformSettings:
    return get_runtime(request).settings


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
StoreDep = Annotated[TableStore, Depends(get_store)]
RpcDep = Annotated[Rpc, Depends(get_rpc)]
SettingsDep = Annotated[PlatformSettings, Depends(get_settings)]
