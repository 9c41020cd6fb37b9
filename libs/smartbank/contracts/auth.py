"""What the auth service answers the edge: who a token belongs to, and customers by id."""

from __future__ import annotations

from smartbank.contracts import Contract


class Principal(Contract):
    """POST /tokens/verify: the customer and client a live access token was issued to."""

    user_id: str
    client_id: str
    expires_at: str


class Customer(Contract):
    id: str
    name: str
    email: str | None
    created: str


class AccessToken(Contract):
    """POST /tokens/verify and /tokens/revoke."""

    access_token: str
