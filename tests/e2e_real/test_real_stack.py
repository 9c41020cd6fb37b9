"""The walkthrough, the pipeline and 200 concurrent swipes on `--infra real`, and the command
line against that stack: the same tests as tests/e2e's where they are the same, collected
again here on this package's stack (the trace comes from Jaeger instead of the sink's files)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from smartbank.local.launcher.stack import Stack
from tests.bench.loadgen import Outcome
from tests.e2e.burst import Swipes, reconcile
from tests.e2e.driver import Bank
from tests.e2e.test_pipeline import (
    PIPELINE,
    test_one_swipe_reaches_feed_push_and_webhook_in_one_trace,
)
from tests.e2e.test_public_api import test_readme_walkthrough

__all__ = ["test_one_swipe_reaches_feed_push_and_webhook_in_one_trace", "test_readme_walkthrough"]

ACCOUNTS, SWIPES, BALANCE, AMOUNT = 5, 200, 300, 10
# The network's deadline for this burst. A swipe costs ~166 ms of CPU on the real parts (60 of
# them Cassandra's Paxos rounds), so 200 at once are ~35 s of this machine's two cores, and
# one account's 40 swipes queue behind each other: 30 s turned part of the tail into 91s.
BURST_DEADLINE_MS = 60_000  # the most the card network interface accepts


async def test_200_concurrent_swipes_leave_every_account_reconciled(bank: Bank) -> None:
    """Forty swipes of 10 at once on each of five accounts holding 300: 30 approved and 10
    declined 51 on each, and every hold matches an approval (conditional writes on Cassandra
    under contention, the outbox on Apache Kafka)."""
    owners = await asyncio.gather(*(bank.customer(BALANCE) for _ in range(ACCOUNTS)))
    cards = [Swipes(owner, AMOUNT, agent="real-concurrent") for owner in owners]
    sent = [cards[i % ACCOUNTS] for i in range(SWIPES)]
    answers = await asyncio.gather(
        *(
            bank.network("authorisations", card.message(), deadline_ms=BURST_DEADLINE_MS)
            for card in sent
        )
    )
    for card in cards:
        mine = [a for c, a in zip(sent, answers, strict=True) if c is card]
        codes = sorted(a["response_code"] for a in mine)
        assert codes == ["00"] * (BALANCE // AMOUNT) + ["51"] * 10, codes
    await reconcile(bank, cards, [Outcome(0.0, 200, answer) for answer in answers])


def test_the_command_line_reads_the_real_stack(stack: Stack) -> None:
    """status probes Kafka, Cassandra and Jaeger; seed, swipe and pushes work as on the embedded
    stack; trace and graph read Jaeger's API."""
    smartbank = cli(stack.layout.root)
    status = json.loads(smartbank("status", "--json"))
    assert {"cassandra", "kafka", "jaeger"} <= {c["name"] for c in status["components"]}
    assert status["ready"] is True
    seeded = smartbank("seed", "--name", "Real", "--balance", "5000", "--device", "--json")
    customer = json.loads(seeded)
    argv = ["swipe", "--card", customer["card_token"], "--amount", "250", "--mcc", "5814"]
    swiped = json.loads(smartbank(*argv, "--merchant", "STARBUCKS 1234 LONDON GBR", "--json"))
    assert swiped["response_code"] == "00"
    spans = json.loads(smartbank("trace", swiped["trace_id"], "--json", "--wait", "30"))
    assert {"card-api", "card-processing", "balance"} <= {s["service"] for s in spans}
    assert {s["service"] for s in spans} <= PIPELINE | {"envoy"}
    assert "card_api[card-api] -->" in smartbank("graph")
    pushes = ["pushes", "--account", customer["account_id"], "--json"]
    deadline = time.monotonic() + 15
    while not json.loads(smartbank(*pushes)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert json.loads(smartbank(*pushes)), "no push for the swipe"


def cli(home: Path) -> Callable[..., str]:
    """`smartbank ARGS...` against the stack on `home`, as a person runs it; its output."""

    def smartbank(*argv: str) -> str:
        env = {**os.environ, "SMARTBANK_HOME": str(home)}
        command = [sys.executable, "-m", "smartbank.local.cli.main", *argv]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (argv, done.stdout, done.stderr)
        return done.stdout

    return smartbank
