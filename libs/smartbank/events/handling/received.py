"""An event as a handler gets it, and the shape of the steps that handle it."""

from __future__ import annotations

from dataclasses import dataclass

from smartbank.chain import Filter as AnyFilter
from smartbank.chain import Step
from smartbank.events.envelope import Event


@dataclass(frozen=True)
class Received:
    """An event, and where it was read from."""

    event: Event
    topic: str
    partition: int
    offset: int


Handle = Step[Received, None]
Filter = AnyFilter[Received, None]
