"""Swipes against a stack whose processes we kill, and the books checked afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smartbank.local.launcher import health
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.processes import read_pid
from smartbank.registry import spec
from tests.e2e.driver import Bank, authorisation

ISSUER_DECLINES = {"05", "51", "54", "62"}  # card-processing's own declines (answers.py)
ANSWERS = {"00", "91"} | ISSUER_DECLINES


@dataclass(frozen=True)
class Swipe:
    account_id: str
    amount: int
    sent_at: float
    seconds: float
    status: int
    answer: dict[str, Any]

    @property
    def code(self) -> str:
        return str(self.answer.get("response_code"))


async def swipe(bank: Bank, customer: dict[str, str], amount: int) -> Swipe:
    """One authorisation with the default (2 s) network deadline, timed from the client."""
    message = authorisation(customer["card_token"], amount)
    sent_at = time.monotonic()
    response = await bank.send("authorisations", message)
    seconds = time.monotonic() - sent_at
    answer = response.json() if response.status_code == 200 else {"body": response.text}
    return Swipe(customer["account_id"], amount, sent_at, seconds, response.status_code, answer)


async def swipe_stream(
    bank: Bank,
    customers: list[dict[str, str]],
    stop: asyncio.Event,
    rate: float,
    limit: float,
    answered: list[Swipe] | None = None,
) -> list[Swipe]:
    """Swipes at `rate` per second (open loop: one never waits for another) until `stop` is set
    or `limit` seconds pass; every amount differs, so no two are the same message. Each swipe
    is appended to `answered` as soon as it is answered, for a caller watching the stream."""
    tasks: list[asyncio.Task[Swipe]] = []
    started = time.monotonic()
    while not stop.is_set() and time.monotonic() - started < limit:
        customer = customers[len(tasks) % len(customers)]
        task = asyncio.create_task(swipe(bank, customer, 100 + len(tasks)))
        if answered is not None:
            task.add_done_callback(lambda done: answered.append(done.result()))
        tasks.append(task)
        next_at = started + len(tasks) / rate
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    return list(await asyncio.gather(*tasks))


async def kill_and_await_ready(home: Path, name: str, bound: float) -> tuple[float, float]:
    """SIGKILL the service; (when it was killed, seconds until a new process of it is ready)."""
    layout = Layout(home)
    pid = read_pid(layout.pid(name))
    assert pid is not None, f"no pid recorded for {name}"
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    component = health.service(spec(name))
    while time.monotonic() - killed < bound:
        result = await asyncio.to_thread(health.probe, component, 0.5)
        if result.ready and read_pid(layout.pid(name)) not in (None, pid):
            return killed, time.monotonic() - killed
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} was not ready again {bound:g} s after kill -9")


def hold_ids(home: Path) -> dict[str, str]:
    """transaction id → hold id of every approved authorisation, from card-processing's file.

    No route lists these (a hold id is per attempt); the test reads the file, never writes."""
    uri = f"file:{home / 'db' / 'card-processing.sqlite3'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        rows = conn.execute(
            "SELECT transaction_id, hold_id FROM authorisations WHERE state = 'approved'"
        ).fetchall()
    return {str(tx): str(hold) for tx, hold in rows}


async def discrepancies(
    bank: Bank, home: Path, customers: list[dict[str, str]], swipes: list[Swipe], opening: int
) -> list[str]:
    """What does not add up, per account (nothing, once late decisions are undone)."""
    holds = hold_ids(home)
    found: list[str] = []
    for customer in customers:
        mine = [s for s in swipes if s.account_id == customer["account_id"]]
        found += await account_discrepancies(bank, customer["account_id"], mine, holds, opening)
    return found


async def account_discrepancies(
    bank: Bank, account_id: str, swipes: list[Swipe], holds: dict[str, str], opening: int
) -> list[str]:
    approved = {s.answer["transaction_id"]: s.amount for s in swipes if s.answer.get("approved")}
    balance = await bank.balance(account_id)
    found = []
    if balance["ledger_balance"] != opening or balance["held"] != sum(approved.values()):
        found.append(f"{account_id}: {balance} for approved {sorted(approved.values())}")
    if balance["balance"] != balance["ledger_balance"] - balance["held"]:
        found.append(f"{account_id}: available is not ledger - held: {balance}")
    transactions = await bank.transactions(account_id)
    assert len(transactions) < 100, "more transactions than one page: use more accounts"
    ids = Counter(t["id"] for t in transactions)
    authorised = {t["id"]: -t["amount"] for t in transactions if t["status"] == "authorised"}
    if authorised != approved or any(count > 1 for count in ids.values()):
        found.append(f"{account_id}: authorised {authorised} but approved {approved}")
    for tx_id, amount in approved.items():
        found += await hold_discrepancies(bank, account_id, tx_id, amount, holds)
    return found


async def hold_discrepancies(
    bank: Bank, account_id: str, tx_id: str, amount: int, holds: dict[str, str]
) -> list[str]:
    if tx_id not in holds:
        return [f"{tx_id}: approved, but card-processing has no approved record"]
    hold = await bank.inside("balance", "GET", f"/accounts/{account_id}/holds/{holds[tx_id]}")
    if (hold["state"], hold["amount"]) != ("held", amount):
        return [f"{tx_id}: approved for {amount}, but its hold is {hold}"]
    return []


async def reconciled(
    bank: Bank, home: Path, customers: list[dict[str, str]], swipes: list[Swipe], opening: int
) -> list[str]:
    """Wait (up to 30 s) for every account to add up; what still does not, if anything."""
    deadline = time.monotonic() + 30
    while True:
        found = await discrepancies(bank, home, customers, swipes, opening)
        if not found or time.monotonic() >= deadline:
            return found
        await asyncio.sleep(0.5)
