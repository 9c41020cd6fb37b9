"""Prometheus RED metrics per endpoint: rate and errors by status, duration by route."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import Scope

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class HttpMetrics:
    """The RED instruments of one service, in its own registry."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        labels = ["method", "route", "status"]
        self.requests = Counter(
            "smartbank_http_requests", "HTTP requests served", labels, registry=registry
        )
        self.duration = Histogram(
            "smartbank_http_request_duration_seconds",
            "Time to serve an HTTP request",
            ["method", "route"],
            buckets=BUCKETS,
            registry=registry,
        )
        self.in_flight = Gauge(
            "smartbank_http_requests_in_flight", "Requests being served", registry=registry
        )
        self.service = service
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request and its duration; each label set's children are looked up once."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.duration.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"
