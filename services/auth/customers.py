from __future__ import annotations

from typing import Any

from auth.tables import CUSTOMER_LIST, CUSTOMERS, CUSTOMERS_BY_EMAIL
from smartbank import errors, ids, timeutil
from smartbank.storage import Row, TableStore

LIST_BUCKET = 0


async def create_customer(store: TableStore, name: str, email: str | None = None) -> dict[str, Any]:
    if not name.strip():
        raise errors.bad_request("invalid_name", "a customer needs a name")
    address = normalise_email(email or "")
    if address and "@" not in address:
        raise errors.bad_request("invalid_email", "not an email address", email=email)
    row = {
        "user_id": ids.new_id("user"),
        "name": name.strip(),
        "email": address,
        "created": timeutil.now_text(),
    }
    if address:
        await claim_email(store, address, row["user_id"])
    await store.insert(CUSTOMERS, row, if_not_exists=True)
    await store.insert(CUSTOMER_LIST, {"bucket": LIST_BUCKET, **row})
    return customer_json(row)


async def claim_email(store: TableStore, email: str, user_id: str) -> None:
    claimed = await store.insert(
        CUSTOMERS_BY_EMAIL, {"email": email, "user_id": user_id}, if_not_exists=True
    )
    if not claimed.applied:
        raise errors.conflict("email_taken", "another customer has this email", email=email)


async def get_customer(store: TableStore, user_id: str) -> dict[str, Any]:
    row = await store.get(CUSTOMERS, {"user_id": user_id})
    if row is None:
        raise errors.not_found("customer", f"no customer {user_id}", user_id=user_id)
    return customer_json(row)


async def find_by_email(store: TableStore, email: str) -> dict[str, Any] | None:
    address = normalise_email(email)
    if not address:
        return None
    claimed = await store.get(CUSTOMERS_BY_EMAIL, {"email": address})
    if claimed is None:
        return None
    row = await store.get(CUSTOMERS, {"user_id": claimed["user_id"]})
    return customer_json(row) if row is not None else None


async def list_customers(store: TableStore, limit: int) -> list[dict[str, Any]]:
    rows = await store.query(CUSTOMER_LIST, {"bucket": LIST_BUCKET}, limit=limit, descending=True)
    return [customer_json(row) for row in rows]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def customer_json(row: Row) -> dict[str, Any]:
    return {
        "id": row["user_id"],
        "name": row["name"],
        "email": row["email"],
        "created": row["created"],
    }
