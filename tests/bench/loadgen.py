"""An open-loop load generator: requests leave on schedule whether or not earlier ones returned.

Latency is measured from each request's *scheduled* time, so a stall shows up in the numbers
instead of silently slowing the sender down (coordinated omission). It speaks just enough
HTTP/1.1 over a pool of keep-alive connections to cost a few tens of microseconds a request:
a general-purpose client would take a large share of the two cores from the system under test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import orjson


@dataclass
class Outcome:
    latency_ms: float
    status: int
    body: dict[str, object]
    due_wall: float = 0.0  # when it was scheduled, as a Unix time


@dataclass
class Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def request(
        self, method: str, host: str, path: str, body: bytes, headers: str
    ) -> tuple[int, bytes]:
        kind = "content-type: application/json\r\n" if body else ""
        head = (
            f"{method} {path} HTTP/1.1\r\nhost: {host}\r\n{kind}"
            f"content-length: {len(body)}\r\n{headers}\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)


@dataclass
class Pool:
    host: str
    port: int
    idle: list[Connection] = field(default_factory=list)

    async def post(self, path: str, payload: object, headers: str = "") -> tuple[int, bytes]:
        return await self.request("POST", path, orjson.dumps(payload), headers)

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: str = ""
    ) -> tuple[int, bytes]:
        """One request on a kept-alive connection; one the server closed while it sat idle
        (uvicorn after 5 s) is replaced and the request sent again on a new one."""
        reused = bool(self.idle)
        conn = self.idle.pop() if reused else await self._connect()
        try:
            answer = await conn.request(method, f"{self.host}:{self.port}", path, body, headers)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            conn.writer.close()
            if not reused:
                raise
            conn = await self._connect()
            answer = await conn.request(method, f"{self.host}:{self.port}", path, body, headers)
        self.idle.append(conn)
        return answer

    async def _connect(self) -> Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return Connection(reader, writer)

    def close(self) -> None:
        for conn in self.idle:
            conn.writer.close()


Send = Callable[[int], Awaitable[tuple[int, bytes]]]


async def open_loop(
    pool: Pool, path: str, make: Callable[[int], object], rate: float, seconds: float
) -> list[Outcome]:
    """POST `rate` requests a second for `seconds`; every outcome with its latency."""
    return await open_loop_of(lambda i: pool.post(path, make(i)), rate, seconds)


async def open_loop_of(send: Send, rate: float, seconds: float) -> list[Outcome]:
    """Call `send(i)` `rate` times a second for `seconds`, on schedule."""
    outcomes: list[Outcome] = []
    start = time.perf_counter() + 0.05
    wall_offset = time.time() - time.perf_counter()
    tasks = []

    async def one(i: int, due: float) -> None:
        try:
            status, raw = await send(i)
            body = orjson.loads(raw) if raw else {}
        except Exception as exc:  # every failure is an outcome to count
            status, body = 0, {"error": repr(exc)}
        latency_ms = (time.perf_counter() - due) * 1000
        outcomes.append(Outcome(latency_ms, status, body, due + wall_offset))

    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    return outcomes


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]
