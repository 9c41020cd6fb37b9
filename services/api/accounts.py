from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.access import CallerDep
from api.calls import path
from api.forms import Id
from api.models import Account, Accounts, Balance, WhoAmI, shape
from smartbank import timeutil
from smartbank.contracts import balance as internal
from smartbank.contracts.auth import Customer
from smartbank.contracts.transactions import Spend

router = APIRouter(tags=["accounts"])

COUNTRY_BY_CURRENCY = {"GBP": "GB", "EUR": "IE", "USD": "US"}


@router.get("/ping/whoami", response_model=None, responses={200: {"model": WhoAmI}})
async def whoami(caller: CallerDep) -> dict[str, Any]:
    return {"authenticated": True, "client_id": caller.client_id, "user_id": caller.user_id}


@router.get("/accounts", response_model=None, responses={200: {"model": Accounts}})
async def list_accounts(
    caller: CallerDep, account_type: Annotated[str | None, Query(max_length=50)] = None
) -> dict[str, Any]:
    found, customer = await asyncio.gather(
        caller.call(
            "balance",
            "GET",
            "/accounts",
            params={"user_id": caller.user_id},
            reply=internal.Accounts,
        ),
        caller.call("auth", "GET", path("/customers/{}", caller.user_id), reply=Customer),
    )
    owner = {"user_id": caller.user_id, "preferred_name": customer.name}
    accounts = [
        shape_account(account, owner)
        for account in found.accounts
        if account_type is None or account.type == account_type
    ]
    return {"accounts": accounts}


@router.get("/balance", response_model=None, responses={200: {"model": Balance}})
async def balance(caller: CallerDep, account_id: Annotated[Id, Query()]) -> dict[str, Any]:
    await caller.account(account_id)
    midnight = datetime.combine(timeutil.now().date(), time(), tzinfo=UTC)
    found, spend = await asyncio.gather(
        caller.call(
            "balance", "GET", path("/accounts/{}/balance", account_id), reply=internal.Balance
        ),
        caller.call(
            "transactions",
            "GET",
            "/transactions/spend",
            params={"account_id": account_id, "since": timeutil.format_time(midnight)},
            reply=Spend,
        ),
    )
    return shape(Balance, {**found.model_dump(), "spend_today": spend.spend})


def shape_account(account: internal.Account, owner: dict[str, str]) -> dict[str, Any]:
    country = COUNTRY_BY_CURRENCY.get(account.currency, "GB")
    return shape(Account, {**account.model_dump(), "country_code": country, "owners": [owner]})
