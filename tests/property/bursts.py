"""Several messages on one account at once. Which of them lands first is not the test's to
know, so the model does not predict a burst: it checks each answer is one the protocol allows
and that retries of one message agree, then learns what became of each authorisation from
card-processing's record (checking its split against the clearing rules). The invariants after
the step then hold balance, transactions and claims to that."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from smartbank import ids
from smartbank.storage import Row
from tests.property.bank import FLOOR_LIMIT
from tests.property.messages import Sent, Slot
from tests.property.model import (
    EARLY,
    NONE,
    OFFLINE,
    Auth,
    Clearing,
    Model,
    charge_limit,
    reversal_key,
)

SLOTS = 6
KINDS = ("authorise", "reverse", "present", "deposit", "withdraw")
ALLOWED = {
    "authorise": {"00", "05", "51", "62", "94"},
    "reverse": {"00", "12", "25"},
    "present": {"00", "12", "91", "94"},  # 91: the authorisation was still being decided
}
MOVE_ERRORS = {"bad_request.insufficient_funds", "bad_request.dedupe_mismatch"}
DECIDED = {"approved", "declined", "reversed", "captured", OFFLINE, EARLY}
STANDARD = Sent(1000, "GBP", "5812")


@dataclass(frozen=True)
class Op:
    """One message of a burst; an authorisation without an amount repeats the slot's last."""

    kind: str
    number: int
    amount: int | None


ops = st.builds(
    Op,
    kind=st.sampled_from(KINDS),
    number=st.integers(0, SLOTS - 1),
    amount=st.none() | st.integers(1, 6000),
)


bursts = st.lists(ops, min_size=2, max_size=5)


def sent_for(auth: Auth, op: Op) -> Sent:
    known = auth.content or auth.first_sent or STANDARD
    return known if op.amount is None else Sent(op.amount, "GBP", known.mcc)


def learn_answers(model: Model, account: int, ops: list[Op], answers: list[Any]) -> None:
    decided: dict[int, dict[str, Any]] = {}
    for op, answer in zip(ops, answers, strict=True):
        if op.kind in ("deposit", "withdraw"):
            learn_move(model, account, op, answer)
        else:
            learn_answer(model.auth(Slot(account, op.number)), op, answer, decided)


def learn_answer(auth: Auth, op: Op, answer: Any, decided: dict[int, dict[str, Any]]) -> None:
    """A network message's answer: one the protocol allows, and for one authorisation, one
    answer to every arrival of it (but 94 to other content under its identifiers)."""
    stood_in = auth.answer is not None and auth.answer["response_code"] == "91"
    allowed = ALLOWED[op.kind] | ({"91"} if stood_in else set())  # a stand-in's retries
    assert answer["response_code"] in allowed, f"{op}: {answer}"
    if op.kind == "authorise":
        auth.seen.append(answer)
        if answer["response_code"] != "94":
            agreed = decided.setdefault(op.number, answer)
            assert agreed == answer, f"one message, two answers: {agreed}, {answer}"


def learn_move(model: Model, account: int, op: Op, outcome: Any) -> None:
    if isinstance(outcome, str):
        assert outcome in MOVE_ERRORS, f"{op}: {outcome}"
        return
    moves = model.accounts[account].moves
    known = moves.setdefault(dedupe_id(op), (op.kind, op.amount or 1))
    assert known == (op.kind, op.amount or 1), f"{op} moved under another's dedupe id"


def reversal_keys(burst: list[Op], number: int) -> set[str]:
    return {reversal_key(op.amount) for op in burst if (op.kind, op.number) == ("reverse", number)}


def dedupe_id(op: Op) -> str:
    return f"burst-{op.number}"


def learn_record(auth: Auth, record: Row | None, reversed_: set[str]) -> None:
    """Take the record's word for the authorisation, after checking it is a finished one, and
    for which of the reversals just sent (their keys, `reversed_`) it applied."""
    if record is None:
        auth.state = NONE
        return
    assert record["state"] in DECIDED, f"left undecided after every answer: {record['state']}"
    auth.state = record["state"]
    auth.currency = record.get("currency")
    auth.outstanding = record.get("outstanding") or 0
    auth.stand_in = bool(record["stand_in"])
    auth.reversals |= {key for key in reversed_ if applied(record, key)}
    if record["fingerprint"] or auth.stand_in:
        auth.answer = dict(record["response"])
    if record["fingerprint"]:
        auth.content = Sent(record["amount"], record["currency"], record["mcc"] or "")
    plan = record.get("clearing")
    if plan:
        auth.clearing = Clearing(plan["presented"], plan["charged"], plan["transaction_id"])
        assert plan["charged"] == allowed_charge(plan, auth), f"clearing rules broken: {plan}"


def applied(record: Row, reversal: str) -> bool:
    """The record keeps the ids of the reversals it applied, derived from the authorisation
    and the reversal as card-processing derives them."""
    return ids.derived_id("rev", record["auth_key"], reversal, "False") in record["reversal_ids"]


def learn_stand_in(auth: Auth) -> None:
    """After a stand-in notice the authorisation is declined, however the race went: the
    network was told 91, and its retries are told 91 too, or the decline it came to."""
    assert auth.state == "declined", f"a stand-in left the authorisation {auth.state}"
    assert auth.answer is not None and not auth.answer["approved"], auth.answer


def allowed_charge(plan: dict[str, Any], auth: Auth) -> int:
    if plan["kind"] == OFFLINE:
        return min(plan["presented"], FLOOR_LIMIT)
    mcc = auth.content.mcc if auth.content else ""
    return min(plan["presented"], charge_limit(plan["authorised"], mcc))
