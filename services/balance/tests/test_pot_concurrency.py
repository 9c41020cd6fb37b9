import asyncio
import random
from collections import Counter
from collections.abc import Awaitable
from typing import Any, cast

from balance import accounts, holds, ledger, postings, pot_moves, pots
from balance.tables import LEDGER
from smartbank.errors import ServiceError
from smartbank.storage import Row, TableStore

EXPIRES = "2030-01-01T00:00:00Z"
EXPECTED_REFUSALS = {
    "bad_request.insufficient_funds",
    "bad_request.dedupe_mismatch",
    "bad_request.pot_deleted",
    "bad_request.pot_not_empty",
    "conflict.hold_mismatch",
    "conflict.posting_mismatch",
    "conflict.already_captured",
    "bad_request.exceeds_hold",
    "conflict.hold_released",
    "not_found.hold",
}


class Yielding:
    """A store that hands the loop over before every call, so concurrent moves interleave
    between their reads and their conditional writes."""

    def __init__(self, store: TableStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            return await method(*args, **kwargs)

        return call


def interleaving(replicas: list[TableStore]) -> list[TableStore]:
    return [cast(TableStore, Yielding(replica)) for replica in replicas]


async def account_with_pot(store: TableStore, ledger_balance: int, held: int) -> tuple[str, str]:
    account = (await accounts.create(store, "user_1", "GBP")).id
    await postings.post(store, account, "topup", ledger_balance, "GBP", "Top up")
    if held:
        await holds.reserve(store, account, "h0", held, "GBP", EXPIRES)
    return account, (await pots.create(store, account, "Savings")).id


async def outcome(move: Awaitable[Any]) -> str:
    try:
        await move
    except ServiceError as exc:
        return exc.code
    return "moved"


async def deposit_concurrently(replicas: list[TableStore]) -> None:
    account, first = await account_with_pot(replicas[0], 600, 100)
    second = (await pots.create(replicas[0], account, "Second")).id

    def deposit(n: int) -> Awaitable[Any]:
        pot_id = (first, second)[n % 2]
        return pot_moves.deposit(replicas[n % len(replicas)], pot_id, account, 10, f"d{n}")

    outcomes = Counter(await asyncio.gather(*(outcome(deposit(n)) for n in range(100))))

    assert outcomes == {"moved": 50, "bad_request.insufficient_funds": 50}
    balance = await pots.balance_with_pots(replicas[-1], account)
    assert (balance.available, balance.in_pots, balance.held) == (0, 500, 100)
    saved = [(await pots.get(replicas[0], pot_id)).balance for pot_id in (first, second)]
    assert sum(saved) == 500


async def test_deposit_concurrently_never_overdraws_in_memory(store: TableStore) -> None:
    await deposit_concurrently([store])


async def test_deposit_concurrently_from_replicas_never_overdraws(
    file_replicas: list[TableStore],
) -> None:
    await deposit_concurrently(file_replicas)


async def test_deposit_concurrently_from_interleaving_replicas_never_overdraws(
    file_replicas: list[TableStore],
) -> None:
    await deposit_concurrently(interleaving(file_replicas))


async def test_balance_read_during_moves_never_counts_money_twice(
    file_replicas: list[TableStore],
) -> None:
    replicas = interleaving(file_replicas)
    account, pot_id = await account_with_pot(replicas[0], 1_000, 0)

    def move(n: int) -> Awaitable[Any]:
        move = pot_moves.deposit if n % 2 == 0 else pot_moves.withdraw
        return move(replicas[n % 2], pot_id, account, 100, f"m{n}")

    async def totals_until(done: asyncio.Future[list[str]]) -> set[int]:
        seen = set()
        while not done.done():
            balance = await pots.balance_with_pots(replicas[2], account)
            seen.add(balance.to_dict()["total_balance"])
        return seen

    moves = asyncio.gather(*(outcome(move(n)) for n in range(40)))
    seen = await asyncio.gather(*(totals_until(moves) for _ in range(3)))

    outcomes = Counter(await moves)
    assert outcomes["moved"] >= 20 and set(outcomes) <= {"moved", "bad_request.insufficient_funds"}
    assert set().union(*seen) == {1_000}


async def test_deposit_replayed_concurrently_from_replicas_moves_once(
    file_replicas: list[TableStore],
) -> None:
    account, pot_id = await account_with_pot(file_replicas[0], 1_000, 0)

    moved = await asyncio.gather(
        *(pot_moves.deposit(file_replicas[n % 3], pot_id, account, 70, "same") for n in range(12))
    )

    assert all(pot == moved[0] for pot in moved) and moved[0].balance == 70
    assert (await ledger.read_balance(file_replicas[1], account)).available == 930


async def test_delete_racing_deposit_never_deletes_money(
    file_replicas: list[TableStore],
) -> None:
    account, _ = await account_with_pot(file_replicas[0], 1_000, 0)
    for n in range(10):
        pot_id = (await pots.create(file_replicas[0], account, f"Pot {n}")).id
        deposit = pot_moves.deposit(file_replicas[1], pot_id, account, 10, "d")
        delete = pots.delete(file_replicas[2], pot_id)

        results = await asyncio.gather(outcome(deposit), outcome(delete))

        pot = await pots.get(file_replicas[0], pot_id)
        assert results in (
            ["moved", "bad_request.pot_not_empty"],
            ["bad_request.pot_deleted", "moved"],
        )
        assert pot.deleted is (results[1] == "moved")
        assert pot.balance == (10 if results[0] == "moved" else 0)


def random_operation(
    rng: random.Random, store: TableStore, account: str, pot_ids: list[str]
) -> Any:
    pot_id, dedupe_id = rng.choice(pot_ids), f"m{rng.randrange(40)}"
    amount = rng.choice([30, 100, 250])
    choice = rng.choice(["deposit", "deposit", "withdraw", "delete", "hold", "capture", "post"])
    if choice == "deposit":
        return pot_moves.deposit(store, pot_id, account, amount, dedupe_id)
    if choice == "withdraw":
        return pot_moves.withdraw(store, pot_id, account, amount, dedupe_id)
    if choice == "delete":
        return pots.delete(store, pot_id)
    if choice == "hold":
        return holds.reserve(store, account, f"h{rng.randrange(20)}", amount, "GBP", EXPIRES)
    if choice == "capture":
        return holds.capture(store, account, f"h{rng.randrange(20)}", amount, "GBP")
    return postings.post(store, account, f"p{rng.randrange(20)}", amount, "GBP", f"{amount}")


async def refused_or_done(operation: Awaitable[Any]) -> None:
    code = await outcome(operation)
    assert code == "moved" or code in EXPECTED_REFUSALS, code


def entries(rows: list[Row], prefix: str) -> list[Row]:
    return [row for row in rows if row["entry"].startswith(prefix)]


async def test_random_pot_moves_conserve_money(store: TableStore) -> None:
    account, first = await account_with_pot(store, 2_000, 0)
    pot_ids = [first, *[(await pots.create(store, account, "More")).id for _ in range(2)]]
    rng = random.Random(20261123)

    for _ in range(60):
        batch = [random_operation(rng, store, account, pot_ids) for _ in range(8)]
        await asyncio.gather(*(refused_or_done(op) for op in batch))

    rows = await store.query(LEDGER, {"account_id": account})
    moves = entries(rows, "pot_move:")
    for pot in entries(rows, "pot:"):
        mine = [m for m in moves if m["entry"].startswith(f"pot_move:{pots.pot_id_of(pot)}:")]
        signed = sum(m["amount"] if m["kind"] == "deposit" else -m["amount"] for m in mine)
        assert pot["balance"] == signed >= 0
    posted = sum(r["amount"] for r in entries(rows, "post:"))
    captured = sum(r["captured_amount"] for r in entries(rows, "hold:"))
    balance = await pots.balance_with_pots(store, account)
    assert balance.ledger_balance + balance.in_pots == posted - captured
    assert {m["kind"] for m in moves} == {"deposit", "withdraw"}
