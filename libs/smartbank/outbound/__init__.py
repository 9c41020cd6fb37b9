"""The client side of a call between services, built like the server side: an onion of filters.

A filter takes the outgoing call and the next step (`send`) and returns the reply, so a concern
that both directions have (the deadline, the call context, the trace) is one small function
here and one there, declared in one visible list (onion.py), outermost first.
"""

from smartbank.outbound.call import Call, Filter, Reply, Send

__all__ = ["Call", "Filter", "Reply", "Send"]
