"""How long each successful handling took, per topic and group (failed attempts are counted as
retries or dead letters by the consumer loop instead)."""

from __future__ import annotations

import time

from smartbank.events.handling.received import Filter, Handle, Received
from smartbank.events.metrics import ConsumerMetrics


def timed(metrics: ConsumerMetrics, group: str) -> Filter:
    async def observed(received: Received, handle: Handle) -> None:
        started = time.perf_counter()
        await handle(received)
        metrics.observe(received.topic, group, time.perf_counter() - started)

    return observed
