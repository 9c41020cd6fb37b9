"""Events: publishing to and consuming from Kafka, with the call context in the headers."""

from smartbank.events.consumer import Consumer, Received
from smartbank.events.envelope import Event
from smartbank.events.publisher import KafkaPublisher, Publisher

__all__ = ["Consumer", "Event", "KafkaPublisher", "Publisher", "Received"]
