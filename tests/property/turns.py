"""Hops that give the event loop a turn, as a network and a database would.

In this process nothing else ever waits: the in-memory SQLite store answers without
suspending and `AppRpc` calls the other app straight through, so messages sent at once would
each run to its end before the next began, and a burst would test nothing. Here every call
between services and every storage operation first yields, so a burst's messages interleave at
each hop (deterministically: the same burst, the same interleaving, as shrinking needs).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from smartbank.storage import TableStore
from smartbank.testing import AppRpc

STORE_OPERATIONS = frozenset({"get", "query", "insert", "update", "delete", "batch"})


class TurnTakingRpc(AppRpc):
    async def call(self, service: str, method: str, path: str, **options: Any) -> Any:
        await asyncio.sleep(0)
        return await super().call(service, method, path, **options)


class TurnTakingStore:
    def __init__(self, inner: TableStore) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        operation = getattr(self.inner, name)
        if name not in STORE_OPERATIONS:
            return operation

        async def in_turn(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            return await operation(*args, **kwargs)

        return in_turn


def taking_turns(store: TableStore) -> TableStore:
    return cast(TableStore, TurnTakingStore(store))
