"""The in-cluster test Job: the contract suites against the real backends, then one smoke swipe.

1. Waits until Cassandra (CASSANDRA_HOSTS) and Kafka (KAFKA_BOOTSTRAP) accept connections.
2. `pytest tests/contract`: the storage contract runs on Cassandra as well (CASSANDRA_HOSTS set)
   and the event contract on Apache Kafka instead of a Tansu of its own (KAFKA_BOOTSTRAP set).
3. Seeds a customer the way `smartbank seed` does, calling auth, balance, transactions and cards
   directly (RPC_MODE=direct, DIRECT_HOST={service}: the pod has no Envoy), retrying until the
   stack is up, then swipes the card once through the card network edge (EDGE_URL): the answer
   must be an approval, with the trace id to find the swipe in Jaeger.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

import httpx

from smartbank.errors import ServiceError
from smartbank.local.cli.seed import seed
from smartbank.local.cli.swipe import authorisation

WAIT_SECONDS = float(os.environ.get("STACK_WAIT_SECONDS", "600"))
EDGE_URL = os.environ.get("EDGE_URL", "http://edge:8090")
UNAVAILABLE = (502, 503, 504)


def address(entry: str, default_port: int) -> tuple[str, int]:
    host, _, port = entry.strip().partition(":")
    return host, int(port) if port else default_port


def wait_for(host: str, port: int, deadline: float) -> None:
    while True:
        try:
            with socket.create_connection((host, port), timeout=3):
                print(f"{host}:{port} is up", flush=True)
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"{host}:{port} never answered: {exc}") from None
            time.sleep(3)


def seeded(deadline: float) -> dict[str, str]:
    while True:
        try:
            return asyncio.run(seed("Cluster Smoke", 10_000))
        except ServiceError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"seeding failed: {exc.code}: {exc.message}") from None
            print(f"stack not ready ({exc.code}), retrying", flush=True)
            time.sleep(5)


def swipe(card_token: str, deadline: float) -> dict[str, Any]:
    """One authorisation; a retry resends the same message, which the network may do too."""
    message = authorisation(card_token, 350, "STARBUCKS 1234 LONDON GBR", "5814", "GBP")
    url = f"{EDGE_URL}/network/v1/authorisations"
    while True:
        try:
            response = httpx.post(url, json=message, timeout=10.0)
            if response.status_code not in UNAVAILABLE:
                trace_id = response.headers.get("x-trace-id", "")
                return {"status": response.status_code, "trace_id": trace_id, **response.json()}
            problem = f"edge answered {response.status_code}"
        except httpx.HTTPError as exc:
            problem = f"edge unreachable: {exc}"
        if time.monotonic() > deadline:
            raise SystemExit(problem)
        print(f"{problem}, retrying", flush=True)
        time.sleep(5)


def main() -> int:
    deadline = time.monotonic() + WAIT_SECONDS
    wait_for(*address(os.environ["CASSANDRA_HOSTS"].split(",")[0], 9042), deadline)
    wait_for(*address(os.environ["KAFKA_BOOTSTRAP"].split(",")[0], 9092), deadline)
    # The outbox relay test publishes to the live `transaction.created` topic, which the
    # deployed enrichment consumes (it would dead-letter the stranger); it runs in `make test`.
    live_topic = "not outbox_relay_stopped_between_write_and_publish"
    code = subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "tests/contract", "-k", live_topic]
    )
    if code != 0:
        return code
    deadline = time.monotonic() + WAIT_SECONDS
    customer = seeded(deadline)
    answer = swipe(customer["card_token"], deadline)
    print(json.dumps({"smoke_swipe": answer}), flush=True)
    passed = answer["status"] == 200 and answer.get("approved") is True
    if not passed or len(answer["trace_id"]) != 32:
        print("smoke swipe FAILED: expected an approval with a trace id", flush=True)
        return 1
    print(f"smoke swipe approved; trace {answer['trace_id']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
