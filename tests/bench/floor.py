"""`make bench`, last part: what this machine allows before smartbank does any work.

Measures, one after another with nothing else running, the CPU that the bare parts of one
card swipe cost on this machine, with none of smartbank's own work (no storage, validation,
logging, tracing or metrics):

- a bare HTTP hop: FastAPI on uvicorn (uvloop, httptools) answering a small JSON POST;
- the client side of that hop: aiohttp, as the RPC client uses it;
- a pass through Envoy (HTTP/1.1, no tracing, no access log);
- one event through Kafka: aiokafka producing it and a consumer group reading it, on Tansu,
  at the rate 200 swipes per second would publish (600 events per second).

From those it adds up the skeleton of a swipe (the synchronous path: the load generator's
request, 4 server hops, 4 client calls, 5 Envoy passes; the pipeline: 3 events each produced
once and read by its consumers, 4 reads in all, 2 more hops through Envoy, and the push and the
webhook POSTs with their receivers), and the share of the two cores that skeleton alone takes
at 200 swipes per second. A target needs its whole system, with the work, well inside that.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from smartbank.local.launcher.binaries import find_envoy
from tests.bench.cpu import cpu_seconds
from tests.bench.report import save_report
from tests.contract.events_kit import running_tansu, started
from tests.unit.conftest import free_port

REPORT = Path(os.environ.get("BENCH_FLOOR_REPORT", ".bench/floor.json"))
CALLS = int(os.environ.get("BENCH_FLOOR_CALLS", "3000"))
EVENTS = int(os.environ.get("BENCH_FLOOR_EVENTS", "3000"))
RATE = 200  # swipes per second, as the targets ask
EVENT_RATE = 3 * RATE  # a swipe publishes three events
CORES = os.cpu_count() or 1

BARE_SERVER = """
import sys, uvicorn
from fastapi import FastAPI
app = FastAPI()
@app.post("/hop")
async def hop(body: dict) -> dict:
    return {"ok": True, "echo": body}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http="httptools",
            access_log=False, log_level="warning")
"""


def envoy_bootstrap(listen: int, upstream: int) -> dict[str, Any]:
    """The smallest Envoy that proxies one port to another, as the mesh does, untraced."""
    manager = {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager"
        ".v3.HttpConnectionManager",
        "stat_prefix": "floor",
        "route_config": {
            "virtual_hosts": [
                {
                    "name": "bare",
                    "domains": ["*"],
                    "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "bare"}}],
                }
            ]
        },
        "http_filters": [
            {
                "name": "envoy.filters.http.router",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
                },
            }
        ],
    }
    address = {"socket_address": {"address": "127.0.0.1", "port_value": upstream}}
    return {
        "static_resources": {
            "listeners": [
                {
                    "name": "floor",
                    "address": {"socket_address": {"address": "127.0.0.1", "port_value": listen}},
                    "filter_chains": [
                        {
                            "filters": [
                                {
                                    "name": "envoy.filters.network.http_connection_manager",
                                    "typed_config": manager,
                                }
                            ]
                        }
                    ],
                }
            ],
            "clusters": [
                {
                    "name": "bare",
                    "type": "STATIC",
                    "lb_policy": "LEAST_REQUEST",
                    "load_assignment": {
                        "cluster_name": "bare",
                        "endpoints": [{"lb_endpoints": [{"endpoint": {"address": address}}]}],
                    },
                }
            ],
        }
    }


async def post_many(url: str, count: int) -> None:
    connector = aiohttp.TCPConnector(limit=8)
    async with aiohttp.ClientSession(connector=connector) as session:
        for i in range(count):
            async with session.post(url, json={"stan": f"{i:06d}", "amount": 350}) as response:
                await response.read()


def hop_costs(home: Path) -> dict[str, float]:
    """Milliseconds of CPU per request: bare server, aiohttp client, one Envoy pass."""
    server_port, envoy_port = free_port(), free_port()
    config = home / "envoy.json"
    config.write_text(json.dumps(envoy_bootstrap(envoy_port, server_port)))
    server_argv = [sys.executable, "-c", BARE_SERVER, str(server_port)]
    envoy_argv = [str(find_envoy()), "-c", str(config), "--concurrency", "1", "-l", "error"]
    with started(server_argv, server_port) as server, started(envoy_argv, envoy_port) as envoy:
        direct = f"http://127.0.0.1:{server_port}/hop"
        asyncio.run(post_many(direct, 300))  # warm up
        client_before, server_before = time.process_time(), cpu_seconds(server.pid)
        asyncio.run(post_many(direct, CALLS))
        client = (time.process_time() - client_before) * 1000 / CALLS
        server_ms = (cpu_seconds(server.pid) - server_before) * 1000 / CALLS
        proxied = f"http://127.0.0.1:{envoy_port}/hop"
        asyncio.run(post_many(proxied, 300))
        envoy_before = cpu_seconds(envoy.pid)
        asyncio.run(post_many(proxied, CALLS))
        envoy_ms = (cpu_seconds(envoy.pid) - envoy_before) * 1000 / CALLS
    return {"server_hop_ms": server_ms, "client_call_ms": client, "envoy_pass_ms": envoy_ms}


async def produce_and_consume(bootstrap: str, count: int, per_second: float) -> None:
    """`count` events sent on schedule at `per_second` (each publish awaits its acknowledgement,
    as the platform's publisher does) while a consumer group reads them as they come."""
    topic, group = f"floor.{uuid.uuid4().hex[:8]}", f"floor-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
        enable_auto_commit=False, fetch_max_wait_ms=50,
    )  # fmt: skip
    await producer.start()
    await consumer.start()

    async def send_all() -> None:
        started, sends = time.monotonic(), []
        for i in range(count):
            await asyncio.sleep(max(0.0, started + i / per_second - time.monotonic()))
            key = f"acc_{i % 40}".encode()
            sends.append(asyncio.ensure_future(producer.send_and_wait(topic, b"x" * 600, key=key)))
        await asyncio.gather(*sends)

    async def read_all() -> None:
        read, committed = 0, time.monotonic()
        while read < count:
            batch = await consumer.getmany(timeout_ms=500, max_records=200)
            read += sum(len(records) for records in batch.values())
            if batch and time.monotonic() - committed >= 0.5:  # as the platform commits
                await consumer.commit()
                committed = time.monotonic()

    try:
        await asyncio.gather(send_all(), read_all())
    finally:
        await consumer.stop()
        await producer.stop()


def event_costs() -> dict[str, float]:
    """Milliseconds of CPU per event produced and read once: the clients and the broker."""
    with running_tansu() as (bootstrap, broker):
        asyncio.run(produce_and_consume(bootstrap, 100, EVENT_RATE))
        clients_before, broker_before = time.process_time(), cpu_seconds(broker.pid)
        asyncio.run(produce_and_consume(bootstrap, EVENTS, EVENT_RATE))
        clients = (time.process_time() - clients_before) * 1000 / EVENTS
        broker_ms = (cpu_seconds(broker.pid) - broker_before) * 1000 / EVENTS
    return {"event_clients_ms": clients, "event_broker_ms": broker_ms}


def skeleton(parts: dict[str, float]) -> dict[str, float]:
    """The bare parts of one swipe, added up (see the module's docstring)."""
    hop = parts["server_hop_ms"] + parts["client_call_ms"]
    envoy = parts["envoy_pass_ms"]
    event = parts["event_clients_ms"] + parts["event_broker_ms"]
    card_path = parts["client_call_ms"] + 4 * hop + 5 * envoy
    # 3 events produced once and read once, plus a second read of one of them (about half of
    # an event); 2 calls through Envoy; the push and the webhook, each a hop with no Envoy.
    pipeline = 3.5 * event + 2 * (hop + envoy) + 2 * hop
    total = card_path + pipeline
    return {
        "card_path_ms": card_path,
        "pipeline_ms": pipeline,
        "swipe_ms": total,
        "cores_at_200_per_second": total * RATE / 1000,
        "share_of_the_machine": total * RATE / 1000 / CORES,
    }


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="smartbank-bench-floor-") as home:
        parts = {**hop_costs(Path(home)), **event_costs()}
    result = {
        "cpus": CORES,
        **{k: round(v, 3) for k, v in parts.items()},
        **{k: round(v, 3) for k, v in skeleton(parts).items()},
    }
    save_report(REPORT, result)
    print(
        f"\nfloor (bare parts, no smartbank work): hop {result['server_hop_ms']} ms server + "
        f"{result['client_call_ms']} ms client, Envoy pass {result['envoy_pass_ms']} ms, "
        f"event {result['event_clients_ms']} ms clients + {result['event_broker_ms']} ms broker; "
        f"a swipe's skeleton {result['swipe_ms']} ms (card path {result['card_path_ms']}, "
        f"pipeline {result['pipeline_ms']}) = {result['cores_at_200_per_second']} cores at "
        f"{RATE}/s, {100 * result['share_of_the_machine']:.0f}% of this machine"
    )
    return result


if __name__ == "__main__":
    main()
