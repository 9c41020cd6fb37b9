"""A broker for the event contract tests, and a probe service that consumes from it.

The broker is the one `KAFKA_BOOTSTRAP` names (a real Apache Kafka, e.g. in the cluster's test
Job), else a Tansu started here on a free port, as the local stack runs it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from smartbank import errors
from smartbank.events import Consumer, Received
from smartbank.runtime import Runtime
from smartbank.service import Service
from smartbank.storage import Table
from tests.unit.conftest import free_port

SEEN = Table(
    "seen",
    columns={"event_id": str, "offset": int},
    partition_key=("event_id",),
)


@dataclass
class Behaviour:
    """What the probe's handler does, steered by each test."""

    attempts: dict[str, int] = field(default_factory=dict)
    poison: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    flaky: dict[str, int] = field(default_factory=dict)
    hiccup_at: dict[str, int] = field(default_factory=dict)  # an unexpected failure at attempt N
    stall_at: str = ""
    pace: float = 0.0  # seconds each event takes to handle
    by_runtime: dict[int, int] = field(default_factory=dict)  # events handled per app
    stalled: asyncio.Event = field(default_factory=asyncio.Event)
    trace_ids: dict[str, str] = field(default_factory=dict)


def probe_service(topic: str, behaviour: Behaviour) -> Service:
    async def handle(received: Received, runtime: Runtime) -> None:
        from opentelemetry import trace

        key = received.event.event_id
        behaviour.attempts[key] = behaviour.attempts.get(key, 0) + 1
        behaviour.by_runtime[id(runtime)] = behaviour.by_runtime.get(id(runtime), 0) + 1
        span = trace.get_current_span().get_span_context()
        behaviour.trace_ids[key] = format(span.trace_id, "032x")
        if key in behaviour.poison:
            raise ValueError(f"{key} can never be processed")
        if key in behaviour.refused:
            raise errors.bad_request("invalid_event", f"{key} is refused")
        if behaviour.hiccup_at.get(key) == behaviour.attempts[key]:
            raise ValueError(f"{key} hit a passing fault")
        if behaviour.flaky.get(key, 0) >= behaviour.attempts[key]:
            raise errors.unavailable("probe", "dependency down")
        if behaviour.pace:
            await asyncio.sleep(behaviour.pace)
        if key == behaviour.stall_at:
            behaviour.stalled.set()
            await asyncio.Event().wait()  # until the consumer is killed
        await runtime.store.insert(
            SEEN, {"event_id": key, "offset": received.offset}, if_not_exists=True
        )

    name = f"probe-{uuid.uuid4().hex[:6]}"
    return Service(name=name, tables=[SEEN], consumers=[Consumer(topic, handle)])


def started_tansu() -> Iterator[str]:
    with running_tansu() as (bootstrap, _):
        yield bootstrap


@contextmanager
def running_tansu() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Tansu on a free port, as the local stack runs it: its bootstrap address and process."""
    from smartbank.local.launcher.binaries import find_tansu

    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    argv = [str(find_tansu()), "broker", "--listener-url", url, "--advertised-listener-url", url]
    with started([*argv, "--storage-engine", "memory://tansu/"], port) as process:
        yield f"127.0.0.1:{port}", process


@contextmanager
def started(argv: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A program started, once it listens on `port`; stopped on exit."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        process.wait(10)


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    name = os.path.basename(str(process.args[0] if isinstance(process.args, list) else ""))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on {port} in time")


def bootstrap_from_env() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP", "")
