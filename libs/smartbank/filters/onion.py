"""The onion, declared once, outermost first.

    error mapping → access log → RED metrics → tracing → rate limit → deadline → caller identity
    → app

Errors are outermost so that a failure in any layer still leaves as a typed error body; the
access log and metrics sit outside tracing and read the trace id it leaves in the request
state; a rate-limited request is refused inside tracing (so its 429 has a trace id) and before
any work; the deadline is checked before identity and before any work.
"""

from __future__ import annotations

from collections.abc import Callable

from opentelemetry.trace import TracerProvider
from starlette.types import ASGIApp

from smartbank.filters.access_log import AccessLogFilter
from smartbank.filters.deadline import DeadlineFilter
from smartbank.filters.errors import ErrorFilter
from smartbank.filters.identity import IdentityFilter
from smartbank.filters.metrics import HttpMetrics, MetricsFilter
from smartbank.filters.ratelimit import RateLimitFilter
from smartbank.filters.tracing import TracingFilter
from smartbank.settings import PlatformSettings


def wrap(
    app: ASGIApp,
    *,
    metrics: HttpMetrics,
    tracer_provider: TracerProvider,
    access_log: bool = True,
    settings: PlatformSettings | None = None,
) -> ASGIApp:
    layers: list[Callable[[ASGIApp], ASGIApp]] = [
        ErrorFilter,
        lambda inner: AccessLogFilter(inner, enabled=access_log),
        lambda inner: MetricsFilter(inner, metrics=metrics),
        lambda inner: TracingFilter(inner, tracer_provider=tracer_provider),
        lambda inner: RateLimitFilter.configured(inner, settings or PlatformSettings()),
        DeadlineFilter,
        IdentityFilter,
    ]
    for layer in reversed(layers):
        app = layer(app)
    return app
