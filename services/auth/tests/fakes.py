import asyncio
from typing import Any, cast

import pytest

from smartbank.errors import ServiceError
from smartbank.storage import TableStore

REDIRECT_URI = "https://app.example.com/callback"


class Interleaved:
    """Hands the loop over before every store call, so concurrent calls really interleave."""

    def __init__(self, inner: TableStore) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            return await getattr(self.inner, name)(*args, **kwargs)

        return call


def interleaved(store: TableStore) -> TableStore:
    return cast(TableStore, Interleaved(store))


class Failing:
    """Raises `error` from every call of the store method `name`; the rest pass through."""

    def __init__(self, inner: TableStore, name: str, error: Exception) -> None:
        self.inner, self.name, self.error = inner, name, error

    def __getattr__(self, name: str) -> Any:
        if name != self.name:
            return getattr(self.inner, name)

        async def fail(*args: Any, **kwargs: Any) -> Any:
            raise self.error

        return fail


def failing(store: TableStore, name: str, error: Exception) -> TableStore:
    return cast(TableStore, Failing(store, name, error))


async def expect_error(code: str, call: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        await call
    assert caught.value.code == code
    return caught.value
