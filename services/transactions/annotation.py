from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartbank import errors
from smartbank.contracts.transactions import Transaction
from smartbank.storage import Row, TableStore
from transactions.domain import transaction_json
from transactions.lifecycle import transition

NOTES = "notes"
MAX_KEYS = 50
MAX_KEY_LENGTH = 100
MAX_VALUE_LENGTH = 1_000
MAX_NOTES_LENGTH = 5_000


async def annotate(store: TableStore, tx_id: str, metadata: Mapping[str, str]) -> Transaction:
    _check(metadata)
    notes = metadata.get(NOTES)
    others = {key: value for key, value in metadata.items() if key != NOTES}

    def change(row: Row) -> dict[str, Any] | None:
        current = row["metadata"] or {}
        merged = {key: value for key, value in (current | others).items() if value}
        if len(merged) > MAX_KEYS:
            raise _invalid(f"a transaction holds at most {MAX_KEYS} metadata keys")
        values: dict[str, Any] = {}
        if merged != current:
            values["metadata"] = merged
        if notes is not None and notes != (row["notes"] or ""):
            values["notes"] = notes
        return values or None

    return transaction_json(await transition(store, tx_id, change))


def _check(metadata: Mapping[str, str]) -> None:
    if len(metadata) > MAX_KEYS + 1:
        raise _invalid(f"at most {MAX_KEYS} metadata keys at once")
    for key, value in metadata.items():
        if not key or len(key) > MAX_KEY_LENGTH:
            raise _invalid(f"keys are 1 to {MAX_KEY_LENGTH} characters", key=key[:MAX_KEY_LENGTH])
        longest = MAX_NOTES_LENGTH if key == NOTES else MAX_VALUE_LENGTH
        if len(value) > longest:
            raise _invalid(f"{key} is longer than {longest} characters", key=key)


def _invalid(message: str, **params: Any) -> errors.ServiceError:
    return errors.bad_request("invalid_metadata", message, **params)
