"""What must hold after every step, read from the services' routes and stores and compared with
the model: balances add up, every approval has one hold and one transaction, every hold has an
authorisation, every presentment is split into what was charged and what was claimed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smartbank.rpc import route
from smartbank.storage import Row
from tests.property.bank import Bank, Customer
from tests.property.messages import STRANGER, STRANGER_TOKEN, Slot, identifiers
from tests.property.model import APPROVED, CAPTURED, NONE, REVERSED, Auth, Model

LIVE_TRANSACTION = {"authorised", "settled", "reversed"}
# An approved authorisation's hold and transaction, by what became of the authorisation.
AFTER_APPROVAL = {
    APPROVED: ("held", "authorised"),
    REVERSED: ("released", "reversed"),
    CAPTURED: ("captured", "settled"),
}


@dataclass
class Seen:
    """One account as the services show it."""

    balance: dict[str, Any]
    holds: dict[str, Row]
    claims: dict[str, dict[str, Any]]
    transactions: set[str]


async def check_everything(bank: Bank, customers: list[Customer], model: Model) -> None:
    records = {slot: await record_of(bank, customers, slot) for slot in model.auths}
    owners = {r[k] for r in records.values() if r for k in ("hold_id", "abandoned_hold")}
    for index, customer in enumerate(customers):
        seen = await look_at(bank, customer)
        check_balance(seen, model, index)
        orphans = set(seen.holds) - owners
        assert not orphans, f"holds with no authorisation record: {sorted(orphans)}"
        check_transactions(seen, model, index)
        for slot, auth in model.auths.items():
            if slot.account == index:
                await check_authorisation(bank, auth, records[slot], seen)
        await check_clearings(bank, seen, model.of_account(index))


async def record_of(bank: Bank, customers: list[Customer], slot: Slot) -> Row | None:
    token = STRANGER_TOKEN if slot.account == STRANGER else customers[slot.account].card_token
    return await bank.record(token, identifiers(slot))


async def look_at(bank: Bank, customer: Customer) -> Seen:
    account = customer.account_id
    balance = await bank.call("balance", "GET", route("/accounts/{}/balance", account))
    rows = await bank.ledger_rows(account)
    holds = {r["entry"].removeprefix("hold:"): r for r in rows if r["entry"].startswith("hold:")}
    listed = await bank.call("card-processing", "GET", f"/chargebacks?account_id={account}")
    claims = {claim["transaction_id"]: claim for claim in listed["chargebacks"]}
    assert len(claims) == len(listed["chargebacks"]), "two claims name one transaction"
    return Seen(balance, holds, claims, await bank.transaction_ids(account))


def check_balance(seen: Seen, model: Model, index: int) -> None:
    balance = seen.balance
    live = sum(hold["amount"] for hold in seen.holds.values() if hold["state"] == "held")
    assert balance["held"] == live, f"held {balance['held']} but live holds sum to {live}"
    assert balance["balance"] == balance["ledger_balance"] - balance["held"]
    expected = {"ledger_balance": model.ledger(index), "held": model.held(index)}
    assert {k: balance[k] for k in expected} == expected, f"money does not add up: {balance}"
    assert balance["total_balance"] - balance["balance"] == model.in_pot(index)


def check_transactions(seen: Seen, model: Model, index: int) -> None:
    expected = set(model.accounts[index].top_ups)
    for auth in model.of_account(index):
        expected |= {a["transaction_id"] for a in answers_of(auth) if a.get("transaction_id")}
        if auth.clearing is not None:
            expected.add(auth.clearing.transaction_id)
    missing, stray = expected - seen.transactions, seen.transactions - expected
    assert not missing and not stray, f"missing {sorted(missing)}, stray {sorted(stray)}"


async def check_authorisation(bank: Bank, auth: Auth, record: Row | None, seen: Seen) -> None:
    if auth.state == NONE:
        assert record is None, f"a record nobody made: {record}"
        return
    assert record is not None, f"no record of an authorisation in state {auth.state}"
    assert record["state"] == auth.state, f"record {record['state']}, model {auth.state}"
    mine = [seen.holds[h] for h in (record["hold_id"], record["abandoned_hold"]) if h in seen.holds]
    live = [hold for hold in mine if hold["state"] == "held"]
    assert len(live) == (auth.state == APPROVED), f"{len(live)} live holds in state {auth.state}"
    for answer in answers_of(auth):
        await check_answer(bank, auth, answer, seen.holds.get(record["hold_id"]))


def answers_of(auth: Auth) -> list[dict[str, Any]]:
    """What the network was answered, and the decision the record keeps for its retries."""
    return [*auth.seen, *([auth.answer] if auth.answer else [])]


async def check_answer(bank: Bank, auth: Auth, answer: dict[str, Any], hold: Row | None) -> None:
    if not answer.get("transaction_id"):
        return
    transaction = await bank.transaction(answer["transaction_id"])
    assert transaction is not None, f"an answer names no transaction: {answer}"
    if not answer["approved"]:
        assert transaction["status"] == "declined", f"declined, yet {transaction['status']}"
        return
    assert transaction["status"] in LIVE_TRANSACTION, f"approved, yet {transaction['status']}"
    assert hold is not None, "an approval with no hold"
    assert auth.state in AFTER_APPROVAL, f"approved, yet the record is {auth.state}"
    hold_state, status = AFTER_APPROVAL[auth.state]
    amount = charged(auth) if auth.state == CAPTURED else auth.outstanding
    held = hold["captured_amount"] if auth.state == CAPTURED else hold["amount"]
    actual = (hold["state"], held, transaction["status"], -transaction["amount"])
    assert actual == (hold_state, amount, status, amount), f"hold and transaction: {actual}"


def charged(auth: Auth) -> int:
    assert auth.clearing is not None
    return auth.clearing.charged


async def check_clearings(bank: Bank, seen: Seen, auths: list[Auth]) -> None:
    """charged + claimed = presented, and what was charged is what the transaction says."""
    cleared = [auth.clearing for auth in auths if auth.clearing is not None]
    over = {c.transaction_id for c in cleared if c.presented > c.charged}
    assert set(seen.claims) == over, f"claims {sorted(seen.claims)}, expected {sorted(over)}"
    for clearing in cleared:
        transaction = await bank.transaction(clearing.transaction_id)
        assert transaction is not None, f"a presentment with no transaction: {clearing}"
        assert transaction["status"] == "settled", f"presented, yet {transaction['status']}"
        claim = seen.claims.get(clearing.transaction_id, {"presented": clearing.presented})
        split = (-transaction["amount"], claim.get("charged", clearing.charged))
        assert split == (clearing.charged, clearing.charged), f"charged {split}, {clearing}"
        assert clearing.charged + claim.get("claimed", 0) == claim["presented"], claim
        assert claim["presented"] == clearing.presented, f"presented {claim}, {clearing}"
