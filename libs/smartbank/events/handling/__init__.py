"""Handling one consumed event, built like the server and the RPC client: an onion of filters.

A filter takes the event as read (`Received`) and the next step, so a concern both directions
have (the call context, the trace, the timing) is one small function here, declared in one
visible list (onion.py), outermost first. Retries and dead letters stay in the consumer loop:
they need the record's raw bytes, and they wrap the whole onion.
"""

from smartbank.events.handling.received import Filter, Handle, Received

__all__ = ["Filter", "Handle", "Received"]
