"""`smartbank chargebacks [--account ACC] [--json]`: the claims clearing recorded.

A presentment above what the customer may be charged (API.md section 2) is charged only up to
that limit; card-processing records the rest as a claim against the acquirer, listed here.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from smartbank.errors import ServiceError
from smartbank.local.cli.calls import call_service, failed


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "chargebacks",
        help="chargeback claims recorded by clearing",
        description="List the chargeback claims card-processing recorded when a presentment "
        "asked for more than the customer may be charged.",
    )
    parser.add_argument("--account", metavar="ACC", help="only this account's claims")
    parser.add_argument("--json", action="store_true", help="print the claims as a JSON list")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    params = {"account_id": args.account} if args.account else None
    try:
        found = call_service("card-processing", "GET", "/chargebacks", params=params)
    except ServiceError as exc:
        return failed("chargebacks", exc)
    claims: list[dict[str, Any]] = found["chargebacks"]
    if args.json:
        print(json.dumps(claims, indent=2))
    elif not claims:
        print("no chargeback claims")
    for claim in claims if not args.json else ():
        print(line(claim))
    return 0


def line(claim: dict[str, Any]) -> str:
    currency = claim["currency"]
    return (
        f"{claim['created']}  {claim['account_id']}  {claim['reason']}: presented "
        f"{claim['presented']} {currency}, authorised {claim['authorised']}, charged "
        f"{claim['charged']}, claimed {claim['claimed']}  ({claim['transaction_id'] or '-'})"
    )
