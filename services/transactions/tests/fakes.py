from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from smartbank.errors import ServiceError
from smartbank.storage import TableStore


async def expect_error(code: str, call: Awaitable[Any]) -> None:
    with pytest.raises(ServiceError) as caught:
        await call
    assert caught.value.code == code


class RacingStore:
    """Runs `interloper` just before the first update, so that update finds a newer version."""

    def __init__(self, inner: TableStore, interloper: Callable[[], Awaitable[Any]]) -> None:
        self.inner = inner
        self.interloper: Callable[[], Awaitable[Any]] | None = interloper

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def update(self, *args: Any, **kwargs: Any) -> Any:
        if self.interloper is not None:
            interloper, self.interloper = self.interloper, None
            await interloper()
        return await self.inner.update(*args, **kwargs)


class ReadTogetherStore:
    """Holds the first `readers` reads until all of them have read, so their writes race."""

    def __init__(self, inner: TableStore, readers: int) -> None:
        self.inner = inner
        self.barrier = asyncio.Barrier(readers)
        self.held = readers
        self.missed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        row = await self.inner.get(*args, **kwargs)
        if self.held > 0:
            self.held -= 1
            await self.barrier.wait()
        return row

    async def update(self, *args: Any, **kwargs: Any) -> Any:
        result = await self.inner.update(*args, **kwargs)
        self.missed += not result.applied
        return result
