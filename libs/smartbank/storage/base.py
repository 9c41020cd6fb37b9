"""What every backend shares: insert, update and delete are each a batch of one.

A backend implements `_single` (one prepared write, its Result); the three single-row
writes of the TableStore interface are the same on every backend, so they live here once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from smartbank.storage.schema import Table
from smartbank.storage.store import Delete, Insert, Op, Result, Update


class SingleWrites(ABC):
    async def insert(
        self, table: Table, row: Mapping[str, Any], *, if_not_exists: bool = False
    ) -> Result:
        return await self._single(Insert(table, row, if_not_exists))

    async def update(
        self,
        table: Table,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        *,
        if_: Mapping[str, Any] | None = None,
        if_exists: bool = False,
    ) -> Result:
        return await self._single(Update(table, key, values, if_, if_exists))

    async def delete(
        self,
        table: Table,
        key: Mapping[str, Any],
        *,
        if_: Mapping[str, Any] | None = None,
        if_exists: bool = False,
    ) -> Result:
        return await self._single(Delete(table, key, if_, if_exists))

    @abstractmethod
    async def _single(self, op: Op) -> Result:
        """Apply one write; its Result as the interface describes."""
