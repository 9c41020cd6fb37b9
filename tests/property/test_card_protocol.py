"""The card protocol, driven at random through card-api with every service behind it running in
this process, checked after every step against a model and across the services' stores.

The normal run is short and derandomized (CI sees the same examples every time); `make fuzz`
sets FUZZ_EXAMPLES for a long random run that keeps what it finds in .smartbank/hypothesis.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from tests.property import bursts
from tests.property.driver import Driver
from tests.property.messages import STRANGER, Sent, Slot
from tests.property.model import APPROVED, NONE

ACCOUNTS = 3
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))

accounts = st.integers(0, ACCOUNTS - 1)
cards = st.sampled_from([*range(ACCOUNTS)] * 3 + [STRANGER])  # now and then, no such card
numbers = st.integers(0, bursts.SLOTS - 1)
amounts = st.integers(1, 3000) | st.integers(3000, 15000)
floor_amounts = st.sampled_from([4999, 5000, 5001]) | st.integers(1, 12000)
mccs = st.sampled_from(["5812", "5814", "4121", "5541", "7011", "3650", "5411", ""])
currencies = st.sampled_from(["GBP", "GBP", "GBP", "EUR"])
maybe_currencies = st.sampled_from([None, "GBP", "EUR"])
percents = st.sampled_from([None, 50, 100, 115, 120, 150]) | st.integers(1, 200)


class CardProtocol(RuleBasedStateMachine):
    authorised = Bundle("authorised")

    def __init__(self) -> None:
        super().__init__()
        self.driver = Driver(note=event)

    def teardown(self) -> None:
        self.driver.close()

    @initialize(funding=st.lists(st.integers(2000, 20_000), min_size=ACCOUNTS, max_size=ACCOUNTS))
    def open_accounts(self, funding: list[int]) -> None:
        self.driver.open(funding)

    @rule(
        target=authorised,
        account=cards,
        number=numbers,
        amount=amounts,
        mcc=mccs,
        currency=currencies,
    )
    def authorise(self, account: int, number: int, amount: int, mcc: str, currency: str) -> Slot:
        slot = Slot(account, number)
        self.driver.authorise(slot, Sent(amount, currency, mcc))
        return slot

    @rule(slot=authorised, more=st.sampled_from([0, 0, 1, 250]), utc_offset=st.booleans())
    def replay(self, slot: Slot, more: int, utc_offset: bool) -> None:
        """The network's retry (more=0), or other content under the same identifiers."""
        auth = self.driver.model.auth(slot)
        sent = auth.content or auth.first_sent or bursts.STANDARD
        self.driver.authorise(slot, Sent(sent.amount + more, sent.currency, sent.mcc), utc_offset)

    @rule(account=accounts, number=numbers, amount=amounts)
    def authorise_timed_out(self, account: int, number: int, amount: int) -> None:
        """Only for identifiers not used yet: the network's 91 is for a first arrival."""
        slot = Slot(account, number)
        if self.driver.model.auth(slot).state == NONE:
            self.driver.time_out(slot, Sent(amount, "GBP", "5812"))

    @rule(slot=authorised, amount=st.none() | st.integers(1, 4000), currency=maybe_currencies)
    def reverse(self, slot: Slot, amount: int | None, currency: str | None) -> None:
        self.driver.reverse(slot, amount, currency)

    @rule(account=accounts, number=numbers)
    def reverse_unknown(self, account: int, number: int) -> None:
        """Any slot, often one never authorised: remembered, and its authorisation declined."""
        self.driver.reverse(Slot(account, number), None, None)

    @rule(
        slot=authorised,
        percent=percents,
        nudge=st.sampled_from([-1, 0, 1]),
        currency=maybe_currencies,
    )
    def present(self, slot: Slot, percent: int | None, nudge: int, currency: str | None) -> None:
        """Around the authorised amount and its tolerance; without amount when it may."""
        auth = self.driver.model.auth(slot)
        base = auth.outstanding if auth.state == APPROVED else 1000
        amount = None if percent is None else max(1, base * percent // 100 + nudge)
        if auth.state != APPROVED and auth.clearing is None:  # offline: it must say both
            amount, currency = amount or base, currency or "GBP"
        self.driver.present(slot, amount, currency)

    @rule(account=accounts, number=numbers, amount=floor_amounts, eur=st.booleans())
    def present_offline(self, account: int, number: int, amount: int, eur: bool) -> None:
        """Any slot, often one never authorised: posted in full up to the floor limit."""
        self.driver.present(Slot(account, number), amount, "EUR" if eur else "GBP")

    @rule(account=accounts, frozen=st.booleans())
    def set_card_status(self, account: int, frozen: bool) -> None:
        self.driver.set_card_status(account, frozen)

    @rule(account=accounts, amount=st.integers(1, 10_000))
    def top_up(self, account: int, amount: int) -> None:
        self.driver.top_up(account, amount)

    @rule(
        account=accounts,
        kind=st.sampled_from(["deposit", "withdraw"]),
        amount=st.integers(1, 8000),
        dedupe=st.integers(0, 3),
    )
    def move_pot(self, account: int, kind: str, amount: int, dedupe: int) -> None:
        self.driver.move_pot(account, kind, amount, f"move-{dedupe}")

    @rule(account=accounts, ops=bursts.bursts)
    def burst(self, account: int, ops: list[bursts.Op]) -> None:
        self.driver.burst(account, ops)

    @invariant()
    def everything_adds_up(self) -> None:
        self.driver.check()


def profile() -> settings:
    if FUZZ_EXAMPLES:
        found = DirectoryBasedExampleDatabase(".smartbank/hypothesis")
        return settings(max_examples=FUZZ_EXAMPLES, stateful_step_count=40, database=found)
    return settings(max_examples=25, stateful_step_count=20, derandomize=True, database=None)


CardProtocol.TestCase.settings = settings(
    profile(), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestCardProtocol = CardProtocol.TestCase
