"""`smartbank seed --name NAME --balance MINOR [--email EMAIL] [--device] [--json]`: a customer
ready to swipe a card (with `--email`, one who can also log in where the login page emails a
link; with `--device`, one whose phone gets push notifications: apns registers a device token,
and the local stack's APNs sink shows what it is sent, `smartbank pushes`).

It calls the services through the proxy's mesh listener, the way services call each other:
auth creates the customer, balance the account and its opening top-up, transactions records
the top-up, cards issues a card, and auth hands out an access token.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
from typing import Any

from smartbank import context, ids, timeutil
from smartbank.errors import ServiceError
from smartbank.rpc import Rpc, RpcClient, route
from smartbank.settings import PlatformSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "seed", help="create a customer with an account, a card and a token"
    )
    parser.add_argument("--name", required=True, help="the customer's name")
    parser.add_argument(
        "--balance",
        required=True,
        type=int,
        metavar="MINOR",
        help="opening balance in minor units (pence)",
    )
    parser.add_argument("--email", help="the customer's email, for the emailed login link")
    parser.add_argument(
        "--device",
        action="store_true",
        help="give the customer a phone: pushes about their card go to a new device token",
    )
    parser.add_argument("--currency", default="GBP", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the ids as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.balance < 0:
        print("--balance must be zero or more (minor units)")
        return 2
    try:
        seeded = asyncio.run(
            seed(args.name, args.balance, args.currency, args.email, device=args.device)
        )
    except ServiceError as exc:
        print(f"seed failed: {exc.code}: {exc.message}\n(is the stack up? `smartbank status`)")
        return 1
    if args.json:
        print(json.dumps(seeded))
    else:
        for key, value in seeded.items():
            print(f"{key:>13}  {value}")
    return 0


async def seed(
    name: str,
    balance: int,
    currency: str = "GBP",
    email: str | None = None,
    *,
    device: bool = False,
) -> dict[str, str]:
    rpc = RpcClient("smartbank-cli", PlatformSettings())
    try:
        with context.bound(context.fresh(budget=10.0)):
            seeded = await _seed(rpc, name, balance, currency, email)
            if device:
                seeded["device_token"] = await give_device(rpc, seeded["user_id"])
            return seeded
    finally:
        await rpc.close()


async def _seed(
    rpc: Rpc, name: str, balance: int, currency: str, email: str | None = None
) -> dict[str, str]:
    user = await rpc.call("auth", "POST", "/customers", json={"name": name, "email": email})
    account = await rpc.call(
        "balance",
        "POST",
        "/accounts",
        json={"user_id": user["id"], "currency": currency, "description": f"{name}'s account"},
    )
    if balance:
        await top_up(rpc, account["id"], balance, currency)
    card = await rpc.call(
        "cards",
        "POST",
        "/cards",
        json={"account_id": account["id"], "user_id": user["id"], "name": name},
    )
    token = await rpc.call("auth", "POST", "/tokens", json={"user_id": user["id"]})
    return {
        "user_id": user["id"],
        "account_id": account["id"],
        "card_id": card["id"],
        "card_token": card["processor_token"],
        "access_token": token["access_token"],
    }


async def give_device(rpc: Rpc, user_id: str) -> str:
    """A device token as APNs hands them to an app (32 bytes, hex), registered for the user."""
    token = secrets.token_hex(32)
    device = {"user_id": user_id, "token": token, "platform": "ios"}
    await rpc.call("apns", "POST", "/devices", json=device, idempotent=True)
    return token


async def top_up(rpc: Rpc, account_id: str, amount: int, currency: str) -> None:
    """Money in: the ledger moves, and a settled load transaction records why."""
    top_up_id = ids.new_id("tx")
    posting: dict[str, Any] = {
        "posting_id": top_up_id,
        "amount": amount,
        "currency": currency,
        "description": "Top up",
    }
    await rpc.call(
        "balance", "POST", route("/accounts/{}/postings", account_id), json=posting, idempotent=True
    )
    await rpc.call(
        "transactions",
        "POST",
        "/transactions",
        idempotent=True,
        json={
            "id": top_up_id,
            "account_id": account_id,
            "amount": amount,
            "currency": currency,
            "description": "Top up",
            "status": "settled",
            "is_load": True,
            "category": "mondo",
            "settled": timeutil.now_text(),
        },
    )
