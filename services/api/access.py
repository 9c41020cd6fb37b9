"""Who is calling, and what they may touch.

Every public request carries a bearer token, checked with auth (introspection, so a revoked
token stops at once). A customer may act only on their own accounts and what lies under them:
an account id of someone else's is a 403; a transaction, pot, card or webhook of someone
else's is a 404, exactly as if it did not exist, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from api.calls import call, missing, path
from smartbank import context, errors
from smartbank.contracts.auth import AccessToken, Principal
from smartbank.contracts.balance import Account
from smartbank.deps import RpcDep
from smartbank.errors import ServiceError
from smartbank.rpc import Rpc

M = TypeVar("M", bound=BaseModel)


class OfAccount(Protocol):
    account_id: str


Owned = TypeVar("Owned", bound=OfAccount)

bearer = HTTPBearer(auto_error=False, description="An access token from POST /oauth2/token")


@dataclass
class Caller:
    user_id: str
    client_id: str
    rpc: Rpc
    owners: dict[str, str] = field(default_factory=dict)

    async def call(
        self, service: str, method: str, route: str, *, reply: type[M], **kwargs: Any
    ) -> M:
        return await call(self.rpc, service, method, route, reply=reply, **kwargs)

    async def account(self, account_id: str) -> Account:
        """The account, when it is the caller's; otherwise 403 (or 404 when there is none)."""
        found = await self.call("balance", "GET", path("/accounts/{}", account_id), reply=Account)
        self.owners[account_id] = found.user_id
        if found.user_id != self.user_id:
            raise errors.forbidden(
                "insufficient_permissions", "this account is not yours", account_id=account_id
            )
        return found

    async def owned(self, entity: str, record: Owned) -> Owned:
        """`record` when its account is the caller's, else a 404."""
        account_id = record.account_id
        if account_id not in self.owners:
            try:
                await self.account(account_id)
            except ServiceError as error:
                if error.status not in (403, 404):
                    raise
        if self.owners.get(account_id) != self.user_id:
            raise missing(entity)
        return record


def invalid_token(detail: str, message: str) -> ServiceError:
    return errors.unauthorized(detail, message).with_fields(
        error="invalid_token", error_description=message
    )


async def authenticate(
    rpc: RpcDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    if credentials is None or not credentials.credentials:
        raise invalid_token("bad_access_token.missing", "send Authorization: Bearer <token>")
    token = AccessToken(access_token=credentials.credentials)
    verified = await call(rpc, "auth", "POST", "/tokens/verify", json=token, reply=Principal)
    context.name_principal(verified.user_id)
    return Caller(verified.user_id, verified.client_id, rpc)


CallerDep = Annotated[Caller, Depends(authenticate)]
