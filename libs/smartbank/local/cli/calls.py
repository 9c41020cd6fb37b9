"""One call from the command line to a service of the local stack.

It goes through the proxy's mesh listener, the way services call each other, with a fresh
call context and its own deadline, and a failure comes back as the service's typed error.
"""

from __future__ import annotations

import asyncio
from typing import Any

from smartbank import context
from smartbank.errors import ServiceError
from smartbank.rpc import RpcClient
from smartbank.settings import PlatformSettings

BUDGET_SECONDS = 10.0


def call_service(
    service: str, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
) -> Any:
    return asyncio.run(_call(service, method, path, json, params))


async def _call(
    service: str, method: str, path: str, json: Any, params: dict[str, Any] | None
) -> Any:
    rpc = RpcClient("smartbank-cli", PlatformSettings())
    try:
        with context.bound(context.fresh(budget=BUDGET_SECONDS)):
            return await rpc.call(service, method, path, json=json, params=params)
    finally:
        await rpc.close()


def failed(command: str, exc: ServiceError) -> int:
    """Say why a command failed, and the exit status that goes with it."""
    hint = "\n(is the stack up? `smartbank status`)" if exc.is_infrastructure else ""
    print(f"{command} failed: {exc.code}: {exc.message}{hint}")
    return 1
