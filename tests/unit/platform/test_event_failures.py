"""How a consumer treats a failed event: wait out outages, give up on refusals."""

import pytest
from aiokafka.errors import KafkaConnectionError

from smartbank import errors
from smartbank.events.failures import backoff, should_retry
from smartbank.settings import PlatformSettings
from smartbank.storage import StorageError

SETTINGS = PlatformSettings(
    consumer_max_attempts=3, consumer_retry_base_seconds=0.1, consumer_retry_max_seconds=2.0
)


@pytest.mark.parametrize(
    "outage",
    [
        errors.unavailable("upstream", "merchant is down"),
        errors.timeout("deadline_exceeded", "too slow"),
        KafkaConnectionError("broker gone"),
        ConnectionRefusedError(),
        StorageError("Cassandra write timed out"),
    ],
)
def test_should_retry_an_outage_however_many_attempts(outage: Exception) -> None:
    assert should_retry(outage, 1_000, SETTINGS)


def test_should_retry_a_refusal_never() -> None:
    assert not should_retry(errors.bad_request("invalid_event", "no"), 1, SETTINGS)
    assert not should_retry(errors.not_found("merchant", "no"), 1, SETTINGS)


@pytest.mark.parametrize(
    "failure",
    [
        errors.conflict("transaction_busy", "busy"),
        ValueError("bug"),
        errors.internal_service("x", "y"),
    ],
)
def test_should_retry_other_failures_up_to_the_attempts(failure: Exception) -> None:
    assert should_retry(failure, 2, SETTINGS)
    assert not should_retry(failure, 3, SETTINGS)


def test_backoff_grows_and_is_capped() -> None:
    assert 0.05 <= backoff(1, SETTINGS) <= 0.1
    assert 0.2 <= backoff(3, SETTINGS) <= 0.4
    assert 1.0 <= backoff(50, SETTINGS) <= 2.0
