from typing import Any

from balance import checks, ledger, pots
from balance.ledger import Balance, Changes, Found
from smartbank import errors, timeutil
from smartbank.contracts.balance import Pot
from smartbank.storage import Row, TableStore

DEPOSIT, WITHDRAW = "deposit", "withdraw"


def move_entry(pot_id: str, dedupe_id: str) -> str:
    return f"pot_move:{pot_id}:{dedupe_id}"


async def deposit(
    store: TableStore, pot_id: str, source_account_id: Any, amount: Any, dedupe_id: Any
) -> Pot:
    account_id = checks.identifier(source_account_id, "source_account_id")
    return await _move(store, pot_id, DEPOSIT, account_id, amount, dedupe_id)


async def withdraw(
    store: TableStore, pot_id: str, destination_account_id: Any, amount: Any, dedupe_id: Any
) -> Pot:
    account_id = checks.identifier(destination_account_id, "destination_account_id")
    return await _move(store, pot_id, WITHDRAW, account_id, amount, dedupe_id)


async def _move(
    store: TableStore, pot_id: str, kind: str, account_id: str, amount: Any, dedupe_id: Any
) -> Pot:
    amount = checks.positive_amount(amount)
    dedupe_id = checks.identifier(dedupe_id, "dedupe_id")
    owner = await pots.account_of(store, pot_id)
    if account_id != owner:
        raise errors.bad_request(
            "wrong_account", f"pot {pot_id} belongs to another account", pot_id=pot_id
        )
    pot_key, move_key = pots.pot_entry(pot_id), move_entry(pot_id, dedupe_id)
    request = {"kind": kind, "amount": amount, "account_id": account_id}

    def decide(balance: Balance, found: Found) -> Changes | None:
        move = found[move_key]
        if move is not None:
            _require_same(move, request, dedupe_id)
            return None
        pot = _moved(pots.require(found[pot_key], pot_id), kind, amount, balance)
        record = {
            "kind": kind,
            "amount": amount,
            "result": pots.to_dict(pot),
            "created": pot["updated"],
        }
        return Changes(
            {pot_key: {"balance": pot["balance"], "updated": pot["updated"]}, move_key: record},
            ledger_delta=-amount if kind == DEPOSIT else amount,
        )

    written = await ledger.transact_entries(store, owner, (pot_key, move_key), decide)
    return Pot(**pots.require(written[move_key], pot_id)["result"])


def _moved(pot: Row, kind: str, amount: int, balance: Balance) -> Row:
    if kind == DEPOSIT and pot["deleted"]:
        pot_id = pots.pot_id_of(pot)
        raise errors.bad_request("pot_deleted", f"pot {pot_id} was deleted", pot_id=pot_id)
    available = balance.available if kind == DEPOSIT else pot["balance"]
    if amount > available:
        raise errors.bad_request(
            "insufficient_funds",
            f"{amount} requested, {available} available",
            available=available,
            requested=amount,
        )
    moved = pot["balance"] + amount if kind == DEPOSIT else pot["balance"] - amount
    return {**pot, "balance": moved, "updated": timeutil.now_text()}


def _require_same(move: Row, request: dict[str, Any], dedupe_id: str) -> None:
    if any(move[name] != value for name, value in request.items()):
        raise errors.bad_request(
            "dedupe_mismatch",
            f"dedupe_id {dedupe_id} was used with other parameters",
            dedupe_id=dedupe_id,
        )
