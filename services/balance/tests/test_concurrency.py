import asyncio
from collections import Counter

from balance import accounts, holds, ledger, postings
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

EXPIRES = "2030-01-01T00:00:00Z"


async def funded_account(store: TableStore, amount: int) -> str:
    account = await accounts.create(store, "user_1", "GBP")
    await postings.post(store, account.id, "topup", amount, "GBP", "Top up")
    return str(account.id)


async def reserve_concurrently(replicas: list[TableStore], account: str) -> Counter[str]:
    async def reserve(number: int) -> str:
        store = replicas[number % len(replicas)]
        try:
            await holds.reserve(store, account, f"h{number}", 10, "GBP", EXPIRES)
        except ServiceError as exc:
            return exc.code
        return "reserved"

    return Counter(await asyncio.gather(*(reserve(n) for n in range(200))))


async def assert_exactly_half_reserved(replicas: list[TableStore], account: str) -> None:
    outcomes = await reserve_concurrently(replicas, account)

    assert outcomes == {"reserved": 100, "bad_request.insufficient_funds": 100}
    balance = await ledger.read_balance(replicas[0], account)
    assert (balance.available, balance.held, balance.ledger_balance) == (0, 1_000, 1_000)


async def test_reserve_concurrently_never_overdraws_in_memory(store: TableStore) -> None:
    account = await funded_account(store, 1_000)

    await assert_exactly_half_reserved([store], account)


async def test_reserve_concurrently_never_overdraws_in_sqlite_file(
    file_replicas: list[TableStore],
) -> None:
    account = await funded_account(file_replicas[0], 1_000)

    await assert_exactly_half_reserved(file_replicas[:1], account)


async def test_reserve_concurrently_from_replicas_never_overdraws(
    file_replicas: list[TableStore],
) -> None:
    account = await funded_account(file_replicas[0], 1_000)

    await assert_exactly_half_reserved(file_replicas, account)


async def test_capture_concurrently_from_replicas_moves_ledger_once(
    file_replicas: list[TableStore],
) -> None:
    account = await funded_account(file_replicas[0], 1_000)
    await holds.reserve(file_replicas[0], account, "h1", 400, "GBP", EXPIRES)

    captured = await asyncio.gather(
        *(
            holds.capture(file_replicas[n % 3], account, "h1", 450, "GBP", tolerance=80)
            for n in range(12)
        )
    )

    assert all(hold == captured[0] for hold in captured)
    balance = await ledger.read_balance(file_replicas[1], account)
    assert (balance.ledger_balance, balance.held) == (550, 0)


async def test_release_concurrently_from_replicas_releases_each_id_once(
    file_replicas: list[TableStore],
) -> None:
    account = await funded_account(file_replicas[0], 1_000)
    await holds.reserve(file_replicas[0], account, "h1", 400, "GBP", EXPIRES)

    await asyncio.gather(
        *(holds.release(file_replicas[n % 3], account, "h1", f"r{n % 3}", 50) for n in range(12))
    )

    balance = await ledger.read_balance(file_replicas[2], account)
    assert (balance.available, balance.held) == (750, 250)
