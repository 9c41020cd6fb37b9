"""How long the broker may hold a consumer's fetch: short while events flow, long once idle.

Tansu, the embedded broker, holds a fetch for about its whole wait even when a message arrives
meanwhile, so a hop is only quick with a short wait; yet an idle consumer asking twenty times a
second (and the broker answering it) is most of what an idle stack spends. So the loop asks
with the short wait while it is getting events and with the idle wait once it has had nothing
for `IDLE_AFTER_SECONDS`; the first event after a quiet spell costs up to the idle wait at each
hop, and the next fetch is short again. On Apache Kafka, which answers a waiting fetch as soon
as a message arrives, both waits are 500 ms and nothing changes.

aiokafka takes the wait once, in its constructor, and reads it back from its fetcher for every
fetch request it sends, so that is where it is changed; tests/contract holds the attribute's
name to the installed aiokafka.
"""

from __future__ import annotations

import time
from typing import Any

IDLE_AFTER_SECONDS = 2.0
FETCHER, FETCHER_WAIT = "_fetcher", "_fetch_max_wait_ms"


class FetchWait:
    def __init__(self, busy_ms: int, idle_ms: int, clock: Any = time.monotonic) -> None:
        self.busy_ms = busy_ms
        self.idle_ms = idle_ms
        self.clock = clock
        self.last_events = clock()
        self.current = busy_ms

    def after_fetch(self, kafka: Any, got_events: bool) -> int:
        """The wait for `kafka`'s next fetch, given whether this one brought events; applied."""
        fetcher = getattr(kafka, FETCHER, None)
        now = self.clock()
        if got_events:
            self.last_events = now
        wanted = self.idle_ms if now - self.last_events >= IDLE_AFTER_SECONDS else self.busy_ms
        if wanted != self.current and hasattr(fetcher, FETCHER_WAIT):
            setattr(fetcher, FETCHER_WAIT, wanted)
            self.current = wanted
        return self.current
