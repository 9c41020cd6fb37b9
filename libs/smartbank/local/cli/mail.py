"""`smartbank mail [--to EMAIL] [--json]`: what auth's mail outbox holds, newest first.

The local stack sends no real email; login links wait here to be followed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from smartbank.errors import ServiceError
from smartbank.local.cli.calls import call_service, failed


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "mail",
        help="email the local stack would have sent (login links)",
        description="List the mail in auth's outbox, newest first.",
    )
    parser.add_argument("--to", metavar="EMAIL", default="", help="only mail to this address")
    parser.add_argument("--limit", type=int, default=20, help="at most this many (1-100)")
    parser.add_argument("--json", action="store_true", help="print the mail as a JSON list")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    query: dict[str, Any] = {"limit": args.limit, **({"to": args.to} if args.to else {})}
    try:
        mail = call_service("auth", "GET", "/mail", params=query)["mail"]
    except ServiceError as exc:
        return failed("mail", exc)
    if args.json:
        print(json.dumps(mail, indent=2, ensure_ascii=False))
    elif not mail:
        print("no mail" + (f" to {args.to}" if args.to else ""))
    for item in mail if not args.json else ():
        print(f"{item['created']}  to {item['to']}  {item['subject']}")
        print("".join(f"    {line}\n" for line in item["body"].splitlines()))
    return 0
