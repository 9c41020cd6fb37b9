"""The token endpoint: a client trades an authorization code or a refresh token for tokens."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel

from auth import clients, codes, oauth_errors, replays, tokens
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

log = logging.getLogger(__name__)

REQUIRED = {
    "authorization_code": ("client_id", "client_secret", "redirect_uri", "code"),
    "refresh_token": ("client_id", "client_secret", "refresh_token"),
}


class TokenRequest(BaseModel):
    grant_type: str = ""
    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = ""
    code: str = ""
    refresh_token: str = ""


async def exchange(store: TableStore, request: TokenRequest, ttl: int) -> dict[str, Any]:
    try:
        return await grant_tokens(store, request, ttl)
    except ServiceError as exc:
        raise oauth_errors.for_token_endpoint(exc) from None
    except Exception:
        log.exception("token exchange failed")
        raise oauth_errors.server_error() from None


async def grant_tokens(store: TableStore, request: TokenRequest, ttl: int) -> dict[str, Any]:
    check_complete(request)
    client = await clients.authenticate(store, request.client_id, request.client_secret)
    if request.grant_type == "refresh_token":
        return await tokens.refresh_token(store, client["client_id"], request.refresh_token, ttl)
    return await exchange_code(store, client["client_id"], request, ttl)


async def exchange_code(
    store: TableStore, client_id: str, request: TokenRequest, ttl: int
) -> dict[str, Any]:
    try:
        grant = await codes.redeem_code(store, request.code, client_id, request.redirect_uri)
    except ServiceError as exc:
        if exc.matches("bad_request.invalid_grant"):
            await replays.refuse(store, request.code)
        raise
    family = codes.family_of(request.code)
    issued = await tokens.issue_token(store, grant.user_id, ttl, grant.client_id, family)
    await replays.check(store, request.code)
    return issued


def check_complete(request: TokenRequest) -> None:
    if not request.grant_type:
        raise oauth_errors.invalid_request("grant_type is required")
    required = REQUIRED.get(request.grant_type)
    if required is None:
        raise oauth_errors.unsupported_grant_type(request.grant_type)
    missing = [name for name in required if not getattr(request, name)]
    if missing:
        raise oauth_errors.invalid_request(f"missing {', '.join(missing)}")
