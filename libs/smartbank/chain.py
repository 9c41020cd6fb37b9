"""Filters around a step, the first outermost: the shape outgoing calls and consumed events share.

A filter takes the value and the next step and returns what the step returns, so a concern is
one small function, and the list of filters, declared in one place, is the whole onion:

    send = chain([deadline, call_context, client_span], transport)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

Step = Callable[[In], Awaitable[Out]]
Filter = Callable[[In, Step[In, Out]], Awaitable[Out]]


def chain(filters: Sequence[Filter[In, Out]], step: Step[In, Out]) -> Step[In, Out]:
    """`step` wrapped in `filters`, the first outermost."""
    for outer in reversed(filters):
        step = _bound(outer, step)
    return step


def _bound(outer: Filter[In, Out], inner: Step[In, Out]) -> Step[In, Out]:
    async def step(value: In) -> Out:
        return await outer(value, inner)

    return step
