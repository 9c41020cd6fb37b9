from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram

from smartbank import timeutil

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)


class PushMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.swipe_to_push = Histogram(
            "smartbank_swipe_to_push_seconds",
            "From a transaction's time (the swipe, or its settlement) to its push notification "
            "being accepted by APNs.",
            buckets=BUCKETS,
            registry=registry,
        )

    def pushed(self, transaction_time: str) -> None:
        waited = timeutil.now() - timeutil.parse_time(transaction_time)
        self.swipe_to_push.observe(max(0.0, waited.total_seconds()))
