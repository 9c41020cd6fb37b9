"""card-processing's takeover of an abandoned attempt, a conditional change of its record,
timed out for real (the node's JVM paused past the driver's timeout, during the change).

Whatever the store can tell afterwards, the takeover is applied, or lost to another attempt for
certain, or its outcome is unknown (an error the network's retry resolves): it is never
reported lost while the record holds it. Acting on a wrong "lost" would leave the new attempt's
work (and the hold it gives back) to nobody, or let two attempts decide at once.
"""

from __future__ import annotations

import uuid

from card_processing.records import Records
from card_processing.tables import ALL
from smartbank import errors, timeutil
from smartbank.errors import ServiceError
from smartbank.local.real.process import Running
from smartbank.settings import PlatformSettings
from smartbank.storage import OutcomeUnknown, Row, open_store

from .test_cassandra_timeouts import DRIVER_TIMEOUT_S, while_paused


def abandoned(auth_key: str) -> Row:
    """A record whose attempt died: pending, its lease long over."""
    return {
        "auth_key": auth_key,
        "auth_id": f"auth_{auth_key}",
        "hold_id": f"hold_{auth_key}",
        "state": "pending",
        "fingerprint": "f",
        "attempt": "dead",
        "lease_until": "2000-01-01T00:00:00.000Z",
        "transaction_id": f"tx_{auth_key}",
        "reversal_ids": [],
        "stand_in": False,
        "reversed_early": False,
        "expires_at": "2099-01-01T00:00:00.000Z",
        "created": timeutil.now_text(),
    }


async def test_a_takeover_that_timed_out_is_never_reported_lost_when_it_landed(
    cassandra_node: Running,
) -> None:
    settings = PlatformSettings(storage="cassandra", cassandra_hosts=cassandra_node.launch.address)
    store = open_store(settings, f"takeover_{uuid.uuid4().hex[:8]}")
    await store.ensure(ALL)
    records = Records(store)
    _, warm = await records.create(abandoned("warm"))
    await records.change(warm, attempt="warm")  # every statement prepared before the pause
    _, row = await records.create(abandoned("k"))
    takeover = records.change(row, attempt="new", state="pending", lease_until="2999-01-01")
    outcome = await while_paused(takeover, cassandra_node, DRIVER_TIMEOUT_S + 1)
    stored = await records.must_get("k")
    await store.close()
    print(
        f"\na takeover paused {DRIVER_TIMEOUT_S + 1:g} s: {describe(outcome)}; "
        f"the record's attempt is now {stored['attempt']!r}"
    )
    if isinstance(outcome, dict):
        assert stored["attempt"] == "new"
    elif outcome is None:
        assert stored["attempt"] != "new", "told lost, yet the takeover is in the record"
    else:
        assert unknown(outcome), f"neither applied nor lost nor unknown: {outcome!r}"


def unknown(outcome: object) -> bool:
    return isinstance(outcome, OutcomeUnknown) or (
        isinstance(outcome, ServiceError) and outcome.matches(errors.OUTCOME_UNKNOWN)
    )


def describe(outcome: object) -> str:
    if isinstance(outcome, dict):
        return "applied"
    return "lost for certain" if outcome is None else f"{type(outcome).__name__}: {outcome}"
