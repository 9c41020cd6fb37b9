"""What the card path should do, written from API.md section 2 and not from the services' code:
a model of every authorisation the test sent and of every account's money. Each operation
returns the answer the model expects and moves the model on, using the real answer only for
what the model cannot know (a transaction's id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.property.bank import FLOOR_LIMIT
from tests.property.messages import STRANGER, Sent, Slot

NONE, EARLY, OFFLINE = "none", "reversed_early", "offline"
APPROVED, DECLINED, REVERSED, CAPTURED = "approved", "declined", "reversed", "captured"
TIPPED = {"5812", "5813", "5814", "4121"}
ESTIMATED = {"5541", "5542", "7011", "7512"} | {str(mcc) for mcc in range(3501, 4000)}


def charge_limit(authorised: int, mcc: str) -> int:
    """The most a presentment may charge: the authorised amount plus the MCC's tolerance."""
    percent = 20 if mcc in TIPPED else 15 if mcc in ESTIMATED else 0
    return authorised + authorised * percent // 100


def reversal_key(amount: int | None) -> str:
    """One reversal of an authorisation: of all of it, or of an amount of it."""
    return str(amount or "all")


def refused(code: str) -> dict[str, Any]:
    return {"approved": False, "response_code": code}


def declined(code: str, reason: str) -> dict[str, Any]:
    return {"approved": False, "response_code": code, "decline_reason": reason}


def adjusted(code: str, transaction_id: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"accepted": code == "00", "response_code": code}
    return answer if transaction_id is None else {**answer, "transaction_id": transaction_id}


@dataclass(frozen=True)
class Expect:
    """The fields an answer must have; `exact`: and no others (a repeated answer)."""

    fields: dict[str, Any]
    exact: bool = False

    def met_by(self, answer: dict[str, Any]) -> bool:
        if self.exact:
            return answer == self.fields
        return all(answer.get(name) == value for name, value in self.fields.items())


@dataclass
class Clearing:
    presented: int
    charged: int
    transaction_id: str


def presented_again(clearing: Clearing, amount: int | None, currency: str | None) -> Expect:
    """A cleared presentment again: in another currency it can never apply (12), with another
    amount it is a duplicate (94), else the network's retry, answered alike."""
    if (currency or "GBP") != "GBP":
        return Expect(adjusted("12"), exact=True)
    if (amount or clearing.presented) != clearing.presented:
        return Expect(adjusted("94"), exact=True)
    return Expect(adjusted("00", clearing.transaction_id), exact=True)


@dataclass
class Auth:
    state: str = NONE
    content: Sent | None = None
    first_sent: Sent | None = None
    answer: dict[str, Any] | None = None
    currency: str | None = None
    outstanding: int = 0
    reversals: set[str] = field(default_factory=set)
    clearing: Clearing | None = None
    stand_in: bool = False
    seen: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Account:
    funded: int = 0
    frozen: bool = False
    moves: dict[str, tuple[str, int]] = field(default_factory=dict)
    top_ups: list[str] = field(default_factory=list)


@dataclass
class Model:
    accounts: list[Account]
    auths: dict[Slot, Auth] = field(default_factory=dict)

    def auth(self, slot: Slot) -> Auth:
        return self.auths.setdefault(slot, Auth())

    def of_account(self, account: int) -> list[Auth]:
        return [auth for slot, auth in self.auths.items() if slot.account == account]

    def held(self, account: int) -> int:
        return sum(a.outstanding for a in self.of_account(account) if a.state == APPROVED)

    def charged(self, account: int) -> int:
        return sum(a.clearing.charged for a in self.of_account(account) if a.clearing)

    def in_pot(self, account: int) -> int:
        moves = self.accounts[account].moves.values()
        return sum(amount if kind == "deposit" else -amount for kind, amount in moves)

    def ledger(self, account: int) -> int:
        return self.accounts[account].funded - self.charged(account) - self.in_pot(account)

    def available(self, account: int) -> int:
        return self.ledger(account) - self.held(account)

    def authorise(self, slot: Slot, sent: Sent, answer: dict[str, Any]) -> Expect:
        auth = self.auth(slot)
        auth.seen.append(answer)
        auth.first_sent = auth.first_sent or sent
        if auth.answer is not None:
            same = sent == auth.content or auth.stand_in  # a stand-in's 91 is the answer
            return Expect(auth.answer if same else refused("94"), exact=True)
        if auth.state == OFFLINE:
            return Expect(refused("94"), exact=True)
        expected = self._decide(slot, sent, auth.state)
        auth.answer, auth.content, auth.currency = answer, sent, sent.currency
        auth.state = APPROVED if expected.get("approved") else DECLINED
        auth.outstanding = sent.amount if auth.state == APPROVED else 0
        return Expect(expected, exact=expected["response_code"] == "14")

    def _decide(self, slot: Slot, sent: Sent, state: str) -> dict[str, Any]:
        if slot.account == STRANGER:
            return refused("14")
        if state == EARLY:
            return declined("05", "OTHER")
        if self.accounts[slot.account].frozen:
            return declined("62", "CARD_INACTIVE")
        if sent.currency != "GBP":
            return declined("05", "OTHER")
        if sent.amount > self.available(slot.account):
            return declined("51", "INSUFFICIENT_FUNDS")
        return {"approved": True, "response_code": "00"}

    def reverse(self, slot: Slot, amount: int | None, currency: str | None) -> Expect:
        auth = self.auth(slot)
        reversal = reversal_key(amount)
        if auth.state in (NONE, EARLY):
            auth.state = EARLY
            return Expect(adjusted("25"), exact=True)
        if currency is not None and auth.currency not in (None, currency):
            return Expect(adjusted("12"), exact=True)
        if reversal in auth.reversals:  # the network's retry of one that applied
            return Expect(adjusted("00"), exact=True)
        if auth.clearing is not None:
            return Expect(adjusted("12"), exact=True)
        if auth.state == APPROVED:
            auth.outstanding -= min(amount or auth.outstanding, auth.outstanding)
            auth.state = APPROVED if auth.outstanding else REVERSED
            auth.reversals.add(reversal)
        return Expect(adjusted("00"), exact=True)

    def present(
        self, slot: Slot, amount: int | None, currency: str | None, answer: dict[str, Any]
    ) -> Expect:
        auth = self.auth(slot)
        if auth.clearing is not None:
            return presented_again(auth.clearing, amount, currency)
        if auth.state == APPROVED:
            return self._capture(auth, amount, currency)
        return self._offline(slot, auth, amount, currency, answer)

    def _capture(self, auth: Auth, amount: int | None, currency: str | None) -> Expect:
        assert auth.content is not None and auth.answer is not None
        if (currency or auth.currency) != auth.currency:
            return Expect(adjusted("12"), exact=True)
        presented = amount or auth.outstanding
        charged = min(presented, charge_limit(auth.outstanding, auth.content.mcc))
        auth.clearing = Clearing(presented, charged, auth.answer["transaction_id"])
        auth.state = CAPTURED
        return Expect(adjusted("00", auth.clearing.transaction_id), exact=True)

    def _offline(
        self, slot: Slot, auth: Auth, amount: int | None, currency: str | None, answer: Any
    ) -> Expect:
        assert amount is not None and currency is not None, "an offline presentment says both"
        if slot.account == STRANGER:
            return Expect(adjusted("14"), exact=True)
        if currency != "GBP":
            return Expect(adjusted("12"), exact=True)
        auth.clearing = Clearing(amount, min(amount, FLOOR_LIMIT), answer.get("transaction_id", ""))
        auth.state = OFFLINE if auth.state == NONE else auth.state
        return Expect(adjusted("00"))

    def move(self, account: int, kind: str, amount: int, dedupe_id: str) -> str | None:
        """A pot move: None when it should succeed, else the error code it should get."""
        moves = self.accounts[account].moves
        if dedupe_id in moves:
            return None if moves[dedupe_id] == (kind, amount) else "bad_request.dedupe_mismatch"
        room = self.available(account) if kind == "deposit" else self.in_pot(account)
        if amount > room:
            return "bad_request.insufficient_funds"
        moves[dedupe_id] = (kind, amount)
        return None
