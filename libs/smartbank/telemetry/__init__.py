"""Tracing for every smartbank process: span export over OTLP/HTTP (to Jaeger, or to the local
trace sink in smartbank.local).

The tracing helpers are loaded on first use, so commands that only read traces back (the CLI)
or only receive them (the sink) do not pay for importing the OpenTelemetry SDK and exporter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartbank.telemetry.tracing import configure_tracing, current_trace_id, shutdown_tracing

__all__ = ["configure_tracing", "current_trace_id", "shutdown_tracing"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from smartbank.telemetry import tracing

        return getattr(tracing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
