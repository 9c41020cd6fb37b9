"""What card-processing answers card-api, which relays it to the card network (API.md
section 2); a field a decision does not have is absent, never null."""

from __future__ import annotations

from smartbank.contracts import Contract, absent_when_none


class Decision(Contract):
    """POST /authorisations: approved with an authorisation code, or declined with a reason;
    a refusal with no transaction behind it (no such card, duplicate) has neither."""

    approved: bool
    response_code: str
    authorisation_code: str | None = absent_when_none()
    decline_reason: str | None = absent_when_none()
    transaction_id: str | None = absent_when_none()


class Adjusted(Contract):
    """POST /reversals, /stand-ins and /presentments."""

    accepted: bool
    response_code: str
    transaction_id: str | None = absent_when_none()
