"""An event and its wire form: a protobuf Envelope as the value, the context in the headers.

The call context (request id, W3C trace context) is captured when the event is created, inside
the operation that caused it, and travels both in the Envelope (the durable copy, which an
outbox keeps) and in the Kafka headers (what other tools read). A consumer restores it, so one
trace spans the Kafka hop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from google.protobuf.message import DecodeError, Message
from opentelemetry import propagate

from smartbank import context, ids
from smartbank.events.types import payload_class
from smartbank.schemas.v1.envelope_pb2 import Envelope

Headers = list[tuple[str, bytes]]


class BadEvent(ValueError):
    """A message that can never be processed: not an Envelope, or an unknown payload."""


@dataclass(frozen=True)
class Event:
    type: str
    account_id: str
    payload: Message
    event_id: str = field(default_factory=lambda: ids.new_id("evt"))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    traceparent: str = ""
    tracestate: str = ""
    request_id: str = ""
    # Every event type is its own topic; tests and replays may name another.
    topic: str = ""

    @property
    def destination(self) -> str:
        return self.topic or self.type

    @classmethod
    def capture(cls, type: str, account_id: str, payload: Message, event_id: str = "") -> Event:
        """An event carrying the current trace and request id, for whoever handles it later."""
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        request_id = context.current().request_id if context.has_current() else ""
        return cls(
            type=type,
            account_id=account_id,
            payload=payload,
            event_id=event_id or ids.new_id("evt"),
            traceparent=carrier.get("traceparent", ""),
            tracestate=carrier.get("tracestate", ""),
            request_id=request_id,
        )

    def to_envelope(self) -> Envelope:
        envelope = Envelope(
            event_id=self.event_id,
            type=self.type,
            account_id=self.account_id,
            traceparent=self.traceparent,
            tracestate=self.tracestate,
            request_id=self.request_id,
            payload=self.payload.SerializeToString(),
        )
        envelope.occurred_at.FromDatetime(self.occurred_at)
        return envelope

    def encode(self) -> tuple[bytes, bytes, Headers]:
        """Key, value and headers for Kafka: keyed by account, so its events stay in order."""
        headers = [("event-type", self.type.encode()), ("event-id", self.event_id.encode())]
        for name, value in (
            ("traceparent", self.traceparent),
            ("tracestate", self.tracestate),
            (context.REQUEST_ID, self.request_id),
        ):
            if value:
                headers.append((name, value.encode()))
        return self.account_id.encode(), self.to_envelope().SerializeToString(), headers


def decode(value: bytes) -> Event:
    """The event a Kafka value carries; `BadEvent` if it never can be read."""
    envelope = Envelope()
    try:
        envelope.ParseFromString(value)
        payload = payload_class(envelope.type)()
        payload.ParseFromString(envelope.payload)
        occurred_at = envelope.occurred_at.ToDatetime(tzinfo=UTC)
    except (DecodeError, ValueError, OverflowError) as exc:
        raise BadEvent(f"undecodable event: {exc}") from None
    if not envelope.event_id:
        raise BadEvent("event without an event_id")
    return Event(
        type=envelope.type,
        account_id=envelope.account_id,
        payload=payload,
        event_id=envelope.event_id,
        occurred_at=occurred_at,
        traceparent=envelope.traceparent,
        tracestate=envelope.tracestate,
        request_id=envelope.request_id,
    )
