"""What a consumer does with a failed event: wait, try again, or give it up.

An outage (502/503/504, a refused connection, the broker, the service's own storage) is waited
out however long it takes: the event will succeed once the dependency is back. A refusal of the
event itself (a 4xx typed error) is final, except the ones that may pass on another try (busy,
a conflicting change, a rate limit), which are retried like unexpected failures: a few
attempts, then a dead letter.
"""

from __future__ import annotations

import random

from aiokafka.errors import KafkaError

from smartbank.errors import ServiceError
from smartbank.settings import PlatformSettings
from smartbank.storage import StorageError

UNAVAILABLE_STATUSES = frozenset({502, 503, 504})
LATER = frozenset({408, 409, 429})


def waits_for_dependency(exc: Exception) -> bool:
    if isinstance(exc, ServiceError):
        return exc.status in UNAVAILABLE_STATUSES
    return isinstance(exc, KafkaError | ConnectionError | TimeoutError | StorageError)


def is_refusal(exc: Exception) -> bool:
    return isinstance(exc, ServiceError) and exc.status < 500 and exc.status not in LATER


def should_retry(exc: Exception, attempt: int, settings: PlatformSettings) -> bool:
    if waits_for_dependency(exc):
        return True
    return not is_refusal(exc) and attempt < settings.consumer_max_attempts


def backoff(attempt: int, settings: PlatformSettings) -> float:
    """Exponential, capped, with jitter so a crowd of consumers does not retry in step."""
    base = settings.consumer_retry_base_seconds * 2 ** min(attempt - 1, 20)
    return min(base, settings.consumer_retry_max_seconds) * random.uniform(0.5, 1.0)
