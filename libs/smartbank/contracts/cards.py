"""What the cards service answers: card-processing looks cards up by token, the edge lists and
toggles them."""

from __future__ import annotations

from smartbank.contracts import Contract


class Card(Contract):
    """A payment card on an account; `status` is ACTIVE, INACTIVE or BLOCKED."""

    id: str
    account_id: str
    user_id: str
    processor_token: str
    last_digits: str
    name: str
    expires: str
    status: str
    created: str


class UsableCard(Card):
    """A card found by its processor token, with whether it can pay now: its status, or
    EXPIRED past its expiry month."""

    usability: str


class Cards(Contract):
    cards: list[Card]


class NewStatus(Contract):
    """PUT /cards/{card_id}/status."""

    status: str
