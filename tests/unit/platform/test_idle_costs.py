"""Idle costs: the consumer's fetch wait grows once nothing has come for a while; the server
ticks once a second."""

from __future__ import annotations

import asyncio
import signal
from types import SimpleNamespace

import uvicorn

from smartbank.events.fetch_wait import IDLE_AFTER_SECONDS, FetchWait
from smartbank.server import QuietServer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def kafka_with_wait(ms: int) -> SimpleNamespace:
    return SimpleNamespace(_fetcher=SimpleNamespace(_fetch_max_wait_ms=ms))


def test_the_wait_grows_after_a_quiet_spell_and_shrinks_with_the_next_event() -> None:
    clock, kafka = Clock(), kafka_with_wait(50)
    wait = FetchWait(50, 500, clock)
    assert wait.after_fetch(kafka, got_events=False) == 50  # not idle for long yet
    clock.now += IDLE_AFTER_SECONDS / 2
    assert wait.after_fetch(kafka, got_events=True) == 50
    clock.now += IDLE_AFTER_SECONDS * 0.9
    assert wait.after_fetch(kafka, got_events=False) == 50  # counted from the last event
    clock.now += IDLE_AFTER_SECONDS * 0.2
    assert wait.after_fetch(kafka, got_events=False) == 500
    assert kafka._fetcher._fetch_max_wait_ms == 500
    assert wait.after_fetch(kafka, got_events=True) == 50
    assert kafka._fetcher._fetch_max_wait_ms == 50


def test_a_consumer_without_the_fetcher_attribute_keeps_its_wait() -> None:
    clock = Clock()
    wait = FetchWait(50, 500, clock)
    clock.now += IDLE_AFTER_SECONDS * 2
    assert wait.after_fetch(SimpleNamespace(), got_events=False) == 50


async def test_the_quiet_server_ticks_once_a_second_and_stops_at_a_signal_at_once() -> None:
    async def app(scope: object, receive: object, send: object) -> None:  # never called
        raise AssertionError

    server = QuietServer(uvicorn.Config(app, log_config=None))
    server.server_state = SimpleNamespace(default_headers=[], total_requests=0)  # type: ignore[assignment]
    ticks: list[int] = []
    tick = server.on_tick

    async def counted(counter: int) -> bool:
        ticks.append(counter)
        return await tick(counter)

    server.on_tick = counted  # type: ignore[method-assign]
    loop = asyncio.get_running_loop()
    running = asyncio.create_task(server.main_loop())
    await asyncio.sleep(1.3)
    assert ticks == [0, 10]  # uvicorn's own loop ticks every 0.1 s: thirteen by now
    started = loop.time()
    server.handle_exit(signal.SIGTERM, None)
    await asyncio.wait_for(running, timeout=0.5)  # the tick alone would take up to a second
    assert loop.time() - started < 0.5
