"""Prometheus RED metrics per endpoint: rate and errors by status, duration by route."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartbank.errors import status_of
from smartbank.filters.access_log import QUIET_PATHS

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


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class MetricsFilter:
    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in QUIET_PATHS:
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, recording_send)
        except Exception as exc:
            status = status_of(exc)
            raise
        finally:
            self.metrics.in_flight.dec()
            route, method = route_of(scope), scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.duration.labels(method, route).observe(time.perf_counter() - start)
