"""Which protobuf message each event type carries: one table, read by both ends."""

from __future__ import annotations

from google.protobuf.message import Message

from smartbank.schemas.v1 import events_pb2

PAYLOADS: dict[str, type[Message]] = {
    "transaction.created": events_pb2.TransactionCreated,
    "transaction.enriched": events_pb2.TransactionEnriched,
    "transaction.settled": events_pb2.TransactionSettled,
    "transaction.reversed": events_pb2.TransactionReversed,
    "transaction.declined": events_pb2.TransactionDeclined,
    "feed.item.created": events_pb2.FeedItemCreated,
}


def payload_class(event_type: str) -> type[Message]:
    try:
        return PAYLOADS[event_type]
    except KeyError:
        raise ValueError(f"unknown event type {event_type!r}") from None
