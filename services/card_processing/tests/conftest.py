"""A fake of the three services card-processing calls, keeping just enough state to check it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from smartbank import errors
from smartbank.testing import FakeRpc

CREATED = "2026-01-01T00:00:00.000Z"
# What transactions fills in on a transaction card-processing records.
TRANSACTION_DEFAULTS: dict[str, Any] = {
    "merchant": None,
    "metadata": {},
    "notes": "",
    "is_load": False,
    "settled": "",
    "category": "general",
    "mcc": None,
    "merchant_descriptor": None,
    "card_id": None,
    "user_id": None,
    "created": CREATED,
    "version": 1,
}


def recorded_transaction(body: dict[str, Any]) -> dict[str, Any]:
    return {**TRANSACTION_DEFAULTS, **body, "amount_authorised": body["amount"]}


@dataclass
class FakeBank:
    rpc: FakeRpc = field(default_factory=FakeRpc)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)
    available: dict[str, int] = field(default_factory=dict)
    holds: dict[str, dict[str, Any]] = field(default_factory=dict)
    postings: dict[str, int] = field(default_factory=dict)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)

    def add_card(self, token: str, balance: int, usability: str = "ACTIVE") -> None:
        account = f"acc_{token}"
        self.cards[token] = {
            "id": f"card_{token}",
            "account_id": account,
            "user_id": f"user_{token}",
            "processor_token": token,
            "last_digits": "4242",
            "name": "Alice",
            "expires": "12/2030",
            "status": "ACTIVE",
            "created": CREATED,
            "usability": usability,
        }
        self.available[account] = balance

    def held(self) -> int:
        return sum(h["amount"] for h in self.holds.values() if h["state"] == "held")

    def check(self, step: str) -> None:
        if step in self.failing:
            raise errors.unavailable("upstream", f"{step} is down")

    def card(self, params: dict[str, str], _: Any) -> dict[str, Any]:
        self.check("cards")
        if params["token"] not in self.cards:
            raise errors.not_found("card", "no such card")
        return self.cards[params["token"]]

    def reserve(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        self.check("reserve")
        if body["hold_id"] in self.holds:
            return self.holds[body["hold_id"]]
        if body["currency"] != "GBP":
            raise errors.bad_request("currency_mismatch", "account is in GBP")
        account = params["account"]
        if self.available[account] < body["amount"]:
            raise errors.bad_request("insufficient_funds", "not enough money")
        self.available[account] -= body["amount"]
        self.holds[body["hold_id"]] = {**body, "account": account, "state": "held", "releases": []}
        return self.holds[body["hold_id"]]

    def release(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        self.check("release")
        hold = self.holds.get(params["hold"])
        if hold is None:
            raise errors.not_found("hold", "no such hold")
        if hold["state"] == "held" and body["release_id"] not in hold["releases"]:
            amount = min(body.get("amount", hold["amount"]), hold["amount"])
            hold["amount"] -= amount
            hold["releases"].append(body["release_id"])
            self.available[hold["account"]] += amount
            hold["state"] = "held" if hold["amount"] else "released"
        return hold

    def capture(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        self.check("capture")
        hold = self.holds[params["hold"]]
        if hold["state"] == "held" and body["amount"] > hold["amount"] + body["tolerance"]:
            raise errors.bad_request("exceeds_hold", "more than the hold allows")
        if hold["state"] == "held":
            self.available[hold["account"]] += hold["amount"] - body["amount"]
            hold.update(state="captured", amount=0, captured=body["amount"])
        return hold

    def account(self, params: dict[str, str], _: Any) -> dict[str, Any]:
        return {
            "id": params["account"],
            "user_id": "user_1",
            "currency": "GBP",
            "description": "",
            "type": "uk_retail",
            "account_number": "12345678",
            "sort_code": "040004",
            "created": CREATED,
            "closed": False,
        }

    def post(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if body["posting_id"] not in self.postings:
            self.postings[body["posting_id"]] = body["amount"]
            self.available[params["account"]] += body["amount"]
        return body

    def record(self, _: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        self.check("transactions")
        recorded = self.transactions.setdefault(body["id"], recorded_transaction(body))
        if "transactions-late" in self.failing:  # written, but the answer never came back
            raise errors.timeout("deadline_exceeded", "transactions did not answer in time")
        return recorded

    def get_tx(self, params: dict[str, str], _: Any) -> dict[str, Any]:
        return self.transactions[params["tx"]]

    def transition(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if params["tx"] not in self.transactions:
            raise errors.not_found("transaction", "no such transaction")
        tx = self.transactions[params["tx"]]
        action = params["action"]
        if action == "settle":
            tx.update(status="settled", amount=-body["amount"])
        elif action == "decline":
            tx.update(status="declined", decline_reason=body["decline_reason"])
        elif body.get("if_amount") is not None and tx["amount"] != body["if_amount"]:
            pass  # changed meanwhile: the guarded part is not taken off
        else:
            tx["amount"] += body.get("amount", -tx["amount"])
            tx["status"] = "reversed" if tx["amount"] == 0 else tx["status"]
        if "transition-uncertain" in self.failing:  # landed, but transactions cannot know it
            self.failing.discard("transition-uncertain")
            raise errors.outcome_unknown(f"the change of {params['tx']}")
        return tx

    def install(self) -> FakeRpc:
        on = self.rpc.on
        on("cards", "GET", "/cards/by-token/{token}", self.card)
        on("balance", "POST", "/accounts/{account}/holds", self.reserve)
        on("balance", "POST", "/accounts/{account}/holds/{hold}/release", self.release)
        on("balance", "POST", "/accounts/{account}/holds/{hold}/capture", self.capture)
        on("balance", "POST", "/accounts/{account}/postings", self.post)
        on("balance", "GET", "/accounts/{account}", self.account)
        on("transactions", "POST", "/transactions", self.record)
        on("transactions", "GET", "/transactions/{tx}", self.get_tx)
        on("transactions", "POST", "/transactions/{tx}/{action}", self.transition)
        return self.rpc


@pytest.fixture
def bank() -> FakeBank:
    fake = FakeBank()
    fake.install()
    fake.add_card("ctok_alice", 1000)
    return fake
