"""One example's bank on an event loop of its own, and the moves the property test makes on it.

The services are async and hypothesis's state machine is not, so the driver owns an
`asyncio.Runner`: the bank runs in one long-lived task (its services' lifespans begin and end
there), and each move is one `run` on the same loop. Every network message goes through
card-api, and every answer is held to the model's expectation at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

from smartbank.errors import ServiceError
from smartbank.rpc import route
from tests.property import bursts
from tests.property.bank import Bank, Customer, open_bank
from tests.property.invariants import check_everything, record_of
from tests.property.messages import STRANGER, STRANGER_TOKEN, Sent, Slot, adjustment, authorisation
from tests.property.model import Account, Expect, Model

T = TypeVar("T")


class Driver:
    def __init__(self, note: Callable[[str], None] = lambda _: None) -> None:
        self.note = note
        self.runner = asyncio.Runner()
        self.stop = asyncio.Event()
        self.host: asyncio.Task[None] | None = None
        self.started: Bank | None = None
        self.customers: list[Customer] = []
        self.model = Model([])

    @property
    def bank(self) -> Bank:
        assert self.started is not None, "the bank is not open"
        return self.started

    def run(self, step: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(step)

    def open(self, funding: list[int]) -> None:
        """The bank, and one customer per amount: an account funded with it, a card, a pot."""
        self.started = self.run(self._start())
        for index, amount in enumerate(funding):
            self.customers.append(self.run(self.bank.open_customer(f"customer{index}")))
            self.model.accounts.append(Account())
            self.top_up(index, amount)
            self.create_pot(index)

    def close(self) -> None:
        self.run(self._stop())
        self.runner.close()

    async def _start(self) -> Bank:
        started: asyncio.Future[Bank] = asyncio.get_running_loop().create_future()
        self.host = asyncio.create_task(self._serve(started))
        either: list[asyncio.Future[Any]] = [self.host, started]
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if self.host.done():  # it failed to open: its error says why
            self.host.result()
        return started.result()

    async def _serve(self, started: asyncio.Future[Bank]) -> None:
        async with open_bank() as bank:
            started.set_result(bank)
            await self.stop.wait()

    async def _stop(self) -> None:
        self.stop.set()
        if self.host is not None:
            await self.host

    def check(self) -> None:
        if self.customers:
            self.run(check_everything(self.bank, self.customers, self.model))

    def token(self, slot: Slot) -> str:
        if slot.account == STRANGER:
            return STRANGER_TOKEN
        return self.customers[slot.account].card_token

    def send(self, kind: str, message: dict[str, Any], expected: Callable[..., Expect]) -> None:
        answer = self.run(self.bank.send(kind, message))
        self.note(f"{kind} answered {answer['response_code']}")
        wanted = expected(answer)
        assert wanted.met_by(answer), f"expected {wanted.fields}, answered {answer}"

    def authorise(self, slot: Slot, sent: Sent, utc_offset: bool = False) -> None:
        message = authorisation(self.token(slot), slot, sent, utc_offset)
        self.send("authorisations", message, lambda a: self.model.authorise(slot, sent, a))

    def reverse(self, slot: Slot, amount: int | None, currency: str | None) -> None:
        message = adjustment(self.token(slot), slot, amount, currency)
        self.send("reversals", message, lambda _: self.model.reverse(slot, amount, currency))

    def present(self, slot: Slot, amount: int | None, currency: str | None) -> None:
        message = adjustment(self.token(slot), slot, amount, currency)
        expected = self.model.present
        self.send("presentments", message, lambda a: expected(slot, amount, currency, a))

    def set_card_status(self, account: int, frozen: bool) -> None:
        card = route("/cards/{}/status", self.customers[account].card_id)
        status = {"status": "INACTIVE" if frozen else "ACTIVE"}
        self.run(self.bank.call("cards", "PUT", card, status))
        self.model.accounts[account].frozen = frozen

    def top_up(self, account: int, amount: int) -> None:
        if amount:
            top_up_id = self.run(self.bank.top_up(self.customers[account].account_id, amount))
            self.model.accounts[account].top_ups.append(top_up_id)
            self.model.accounts[account].funded += amount

    def pot_id(self, account: int) -> str:
        return f"pot_{self.customers[account].account_id}"

    def create_pot(self, account: int) -> None:
        pots = route("/accounts/{}/pots", self.customers[account].account_id)
        pot = {"name": "Savings", "pot_id": self.pot_id(account)}
        self.run(self.bank.call("balance", "POST", pots, pot))

    def move_pot(self, account: int, kind: str, amount: int, dedupe_id: str) -> None:
        expected = self.model.move(account, kind, amount, dedupe_id)
        outcome = self.run(self.move(account, kind, amount, dedupe_id))
        assert (outcome if isinstance(outcome, str) else None) == expected, outcome

    async def move(self, account: int, kind: str, amount: int, dedupe_id: str) -> Any:
        """The move's result, or the code of the error it got."""
        side = "source_account_id" if kind == "deposit" else "destination_account_id"
        body = {side: self.customers[account].account_id, "amount": amount}
        path = route("/pots/{}/{}", self.pot_id(account), kind)
        try:
            return await self.bank.call("balance", "PUT", path, {**body, "dedupe_id": dedupe_id})
        except ServiceError as exc:
            return exc.code

    def burst(self, account: int, ops: list[bursts.Op]) -> None:
        answers = self.run(at_once(self.burst_op(account, op) for op in ops))
        bursts.learn_answers(self.model, account, ops, answers)
        for number in {op.number for op in ops}:
            self.learn_record(Slot(account, number), bursts.reversal_keys(ops, number))

    async def burst_op(self, account: int, op: bursts.Op) -> Any:
        slot = Slot(account, op.number)
        token = self.token(slot)
        if op.kind == "authorise":
            sent = bursts.sent_for(self.model.auth(slot), op)
            return await self.bank.send("authorisations", authorisation(token, slot, sent))
        if op.kind == "reverse":
            return await self.bank.send("reversals", adjustment(token, slot, op.amount, None))
        if op.kind == "present":
            message = adjustment(token, slot, op.amount or 1000, "GBP")
            return await self.bank.send("presentments", message)
        return await self.move(account, op.kind, op.amount or 1, bursts.dedupe_id(op))

    def time_out(self, slot: Slot, sent: Sent) -> None:
        """What card-api does when card-processing misses the deadline: the network gets 91,
        and card-processing, perhaps still deciding, gets the stand-in notice."""
        message = authorisation(self.token(slot), slot, sent)
        notice = adjustment(self.token(slot), slot, None, None)
        deciding = self.bank.call("card-processing", "POST", "/authorisations", message)
        standing_in = self.bank.call("card-processing", "POST", "/stand-ins", notice)
        self.run(at_once([deciding, standing_in]))
        self.learn_record(slot, set())
        bursts.learn_stand_in(self.model.auth(slot))

    def learn_record(self, slot: Slot, reversed_: set[str]) -> None:
        record = self.run(record_of(self.bank, self.customers, slot))
        bursts.learn_record(self.model.auth(slot), record, reversed_)


async def at_once(steps: Iterable[Coroutine[Any, Any, Any]]) -> list[Any]:
    return list(await asyncio.gather(*steps))
