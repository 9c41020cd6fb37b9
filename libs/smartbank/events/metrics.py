"""Prometheus metrics of the event pipeline, in the service's own registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ConsumerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        labels = ("topic", "group")
        self.processed = Counter(
            "smartbank_events_processed_total",
            "Events handled successfully.",
            labels,
            registry=registry,
        )
        self.retried = Counter(
            "smartbank_events_retried_total",
            "Failed attempts that will be retried.",
            labels,
            registry=registry,
        )
        self.dead_lettered = Counter(
            "smartbank_events_dead_lettered_total",
            "Events sent to a dead-letter topic.",
            labels,
            registry=registry,
        )
        self.duration = Histogram(
            "smartbank_event_handling_seconds",
            "Time to handle one event.",
            labels,
            registry=registry,
        )
        self.lag = Gauge(
            "smartbank_consumer_lag",
            "Messages not yet consumed, per partition.",
            (*labels, "partition"),
            registry=registry,
        )

    def observe(self, topic: str, group: str, seconds: float) -> None:
        self.processed.labels(topic, group).inc()
        self.duration.labels(topic, group).observe(seconds)
