"""Helpers for the burst tests: sending swipes cheaply, reading the edge's own timings from
Envoy's access log, and reconciling the accounts afterwards."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import orjson

from smartbank.local.launcher.stack import Stack
from smartbank.registry import CARD_NETWORK_PORT
from tests.bench.loadgen import Outcome, Pool, percentile
from tests.e2e.driver import Bank, authorisation

SETTLE_SECONDS = 20.0


@dataclass
class Swipes:
    """One card's swipes, marked with a user agent so the edge's log lines can be found."""

    owner: dict[str, str]
    amount: int
    agent: str
    port: int = CARD_NETWORK_PORT
    path: str = "/network/v1/authorisations"

    @property
    def headers(self) -> str:
        return f"user-agent: {self.agent}\r\n"

    def message(self) -> dict[str, Any]:
        return authorisation(self.owner["card_token"], self.amount)


async def connected(port: int, count: int) -> Pool:
    """A pool with `count` connections open already, so no send waits for a handshake."""
    pool = Pool("127.0.0.1", port)
    pool.idle = list(await asyncio.gather(*(pool._connect() for _ in range(count))))
    return pool


async def swipe(pool: Pool, swipes: Swipes, due: float | None = None) -> Outcome:
    """One authorisation; its latency is from the send, its `due_wall` how late (ms) the
    sender was against `due`, its schedule (a perf_counter time)."""
    message = swipes.message()
    started = time.perf_counter()
    try:
        status, raw = await pool.post(swipes.path, message, swipes.headers)
        body = orjson.loads(raw) if raw else {}
    except Exception as exc:  # every failure is an outcome to count
        status, body = 0, {"error": repr(exc)}
    late_ms = (started - due) * 1000 if due is not None else 0.0
    return Outcome((time.perf_counter() - started) * 1000, status, body, late_ms)


async def open_loop(pool: Pool, cards: list[Swipes], rate: float, seconds: float) -> list[Outcome]:
    """`rate` swipes a second for `seconds`, on schedule, round the cards."""
    start = time.perf_counter() + 0.05
    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        if (delay := due - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(swipe(pool, cards[i % len(cards)], due)))
    return list(await asyncio.gather(*tasks))


# Envoy's default access log line: ... "POST /path HTTP/1.1" status flags rx tx duration ...
ACCESS_LINE = re.compile(r'"POST /network/v1/\S+ HTTP/1.1" (\d+) (\S+) \d+ \d+ (\d+) ')


def edge_durations_ms(stack: Stack, agent: str, count: int, wait: float = 15.0) -> list[int]:
    """How long each of `agent`'s last `count` requests took in the edge Envoy, first byte in to
    last byte out, from its access log (which Envoy writes out every 10 s)."""
    deadline = time.monotonic() + wait
    while True:
        log = (stack.layout.logs / "envoy.log").read_text(errors="replace")
        found = [ACCESS_LINE.search(line) for line in log.splitlines() if f'"{agent}"' in line]
        durations = [int(match[3]) for match in found if match]
        if len(durations) >= count or time.monotonic() > deadline:
            assert len(durations) >= count, f"{len(durations)} of {count} in the edge's log"
            return durations[-count:]
        time.sleep(0.5)


def report(label: str, outcomes: list[Outcome]) -> str:
    latencies = sorted(o.latency_ms for o in outcomes)
    codes = Counter(str(o.body.get("response_code", o.status)) for o in outcomes)
    return (
        f"\n{label}: {len(outcomes)} sent, codes {dict(sorted(codes.items()))}; client p50 "
        f"{percentile(latencies, 0.5):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms, max "
        f"{latencies[-1]:.0f} ms; sender late by up to {max(o.due_wall for o in outcomes):.0f} ms"
    )


async def reconcile(bank: Bank, cards: list[Swipes], outcomes: list[Outcome]) -> None:
    """Once the stand-ins have landed: available = ledger - live holds on every account, every
    hold left is an approval the network was told of, and so is every authorised transaction."""
    approved = [str(o.body["transaction_id"]) for o in outcomes if o.body.get("approved")]
    accounts = {card.owner["account_id"]: card for card in cards}
    by_account = Counter(
        [(await bank.transaction(tx))["account_id"] for tx in approved] + list(accounts)
    )
    for account_id, card in accounts.items():
        expected = by_account[account_id] - 1
        balance, authorised = await settled(bank, account_id, card.amount * expected, expected)
        assert balance["balance"] == balance["ledger_balance"] - balance["held"], balance
        assert balance["held"] == card.amount * expected, (account_id, balance, expected)
        standing = sorted(authorised - set(approved))
        assert standing == [], f"approvals standing that the network was not told of: {standing}"
        assert len(authorised) == expected, (account_id, len(authorised), expected)


async def settled(
    bank: Bank, account_id: str, held: int, authorised: int
) -> tuple[dict[str, Any], set[str]]:
    """The account's balance and authorised transactions once voids and stand-ins have landed
    (a void releases the hold first, then declines the transaction), or at the time limit."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        balance = await bank.balance(account_id)
        found = await authorised_transactions(bank, account_id)
        done = balance["held"] == held and len(found) == authorised
        if done or time.monotonic() > deadline:
            return balance, found
        await asyncio.sleep(0.25)


async def authorised_transactions(bank: Bank, account_id: str) -> set[str]:
    found: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"account_id": account_id, "limit": 100}
        if found:
            params["since"] = found[-1]["id"]
        page = await bank.inside("transactions", "GET", "/transactions", params=params)
        found += page["transactions"]
        if len(page["transactions"]) < 100:
            return {tx["id"] for tx in found if tx["status"] == "authorised"}
