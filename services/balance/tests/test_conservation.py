import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from balance import holds, ledger, postings
from balance.tables import LEDGER
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

MakeAccount = Callable[..., Awaitable[str]]
EXPIRES = "2030-01-01T00:00:00Z"
EXPECTED_REFUSALS = {
    "bad_request.insufficient_funds",
    "conflict.hold_mismatch",
    "conflict.posting_mismatch",
    "conflict.already_captured",
    "bad_request.exceeds_hold",
    "conflict.hold_released",
    "not_found.hold",
}


def random_operation(rng: random.Random, store: TableStore, account: str) -> Awaitable[Any]:
    hold_id = f"h{rng.randrange(40)}"
    choice = rng.choice(["reserve", "reserve", "capture", "release", "post"])
    if choice == "reserve":
        return holds.reserve(store, account, hold_id, rng.choice([50, 120, 300]), "GBP", EXPIRES)
    if choice == "capture":
        final, tolerance = rng.choice([50, 120, 300, 333]), rng.choice([0, 60])
        return holds.capture(store, account, hold_id, final, "GBP", tolerance=tolerance)
    if choice == "release":
        amount = rng.choice([None, 10, 60, 500])
        return holds.release(store, account, hold_id, f"r{rng.randrange(60)}", amount)
    amount = rng.choice([-400, -30, 25, 200, 700])
    return postings.post(store, account, f"p{rng.randrange(30)}", amount, "GBP", f"{amount}")


async def refused_or_done(operation: Awaitable[Any]) -> None:
    try:
        await operation
    except ServiceError as exc:
        assert exc.code in EXPECTED_REFUSALS, exc


async def test_random_operations_conserve_money(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(2_000)
    rng = random.Random(20261122)

    for _ in range(60):
        batch = [random_operation(rng, store, account) for _ in range(8)]
        await asyncio.gather(*(refused_or_done(op) for op in batch))

    rows = await store.query(LEDGER, {"account_id": account})
    hold_rows = [row for row in rows if row["entry"].startswith("hold:")]
    posted = sum(row["amount"] for row in rows if row["entry"].startswith("post:"))
    captured = sum(row["captured_amount"] for row in hold_rows)
    active = sum(row["amount"] for row in hold_rows if row["state"] == "held")
    balance = await ledger.read_balance(store, account)
    assert balance.ledger_balance == posted - captured
    assert balance.held == active
    assert {"captured", "released"} <= {row["state"] for row in hold_rows}
    assert all(row["amount"] == 0 for row in hold_rows if row["state"] != "held")
