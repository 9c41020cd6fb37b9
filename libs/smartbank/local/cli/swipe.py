"""`smartbank swipe --card TOKEN --amount MINOR --merchant DESCRIPTOR [--mcc MCC] [--json]`.

Sends one authorisation (ISO 8583 0100, as JSON) to the card network interface, the way a card
scheme would, and prints the answer with the trace id to follow it by.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from typing import Any

import httpx

from smartbank import timeutil
from smartbank.registry import CARD_NETWORK_PORT


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("swipe", help="send one card authorisation")
    parser.add_argument("--card", required=True, metavar="TOKEN", help="the card's processor token")
    parser.add_argument("--amount", required=True, type=int, metavar="MINOR", help="in minor units")
    parser.add_argument(
        "--merchant",
        required=True,
        metavar="DESCRIPTOR",
        help='the raw card descriptor, e.g. "STARBUCKS 1234 LONDON GBR"',
    )
    parser.add_argument("--mcc", default="5999", help="merchant category code (default 5999)")
    parser.add_argument("--currency", default="GBP")
    parser.add_argument(
        "--url", default=f"http://127.0.0.1:{CARD_NETWORK_PORT}", help=argparse.SUPPRESS
    )
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.set_defaults(run=run)


def authorisation(card: str, amount: int, merchant: str, mcc: str, currency: str) -> dict[str, Any]:
    stan = f"{random.randrange(1_000_000):06d}"
    now = timeutil.now()
    return {
        "card_token": card,
        "amount": amount,
        "currency": currency,
        "merchant": {"descriptor": merchant, "mcc": mcc, "city": "", "country": "GB"},
        "stan": stan,
        "rrn": now.strftime("%y")[-1] + now.strftime("%j%H") + stan,
        "transmitted_at": timeutil.format_time(now),
    }


def run(args: argparse.Namespace) -> int:
    message = authorisation(args.card, args.amount, args.merchant, args.mcc, args.currency)
    try:
        response = httpx.post(f"{args.url}/network/v1/authorisations", json=message, timeout=5.0)
    except httpx.HTTPError as exc:
        print(f"could not reach the card network interface at {args.url}: {exc}", file=sys.stderr)
        return 1
    answer = response.json()
    trace_id = response.headers.get("x-trace-id", "")
    if args.json:
        print(json.dumps({**answer, "trace_id": trace_id}))
    else:
        print(describe(answer, response.status_code))
        print(f"trace: {trace_id}   (smartbank trace {trace_id})")
    return 0 if response.status_code == 200 else 1


def describe(answer: dict[str, Any], status: int) -> str:
    if status != 200:
        return f"rejected ({status}): {answer.get('code')}: {answer.get('message')}"
    code, tx = answer["response_code"], answer.get("transaction_id", "")
    if answer.get("approved"):
        return f"APPROVED  code {code}  auth {answer['authorisation_code']}  {tx}"
    return f"DECLINED  code {code}  {answer.get('decline_reason', '')}  {tx}".rstrip()
