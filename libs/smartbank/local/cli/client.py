"""`smartbank client --name NAME --redirect-uri URI [...] [--json]`: register an OAuth client.

The answer holds the client's secret, which auth keeps only as a hash: it is shown once.
"""

from __future__ import annotations

import argparse
import json

from smartbank.errors import ServiceError
from smartbank.local.cli.calls import call_service, failed


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "client",
        help="register an OAuth client and print its id and secret",
        description="Register a confidential OAuth client (an app) with auth.",
    )
    parser.add_argument("--name", required=True, help="the app's name, shown on the login page")
    parser.add_argument(
        "--redirect-uri",
        dest="redirect_uris",
        action="append",
        required=True,
        metavar="URI",
        help="where the login page may send the customer back (repeat for more)",
    )
    parser.add_argument("--json", action="store_true", help="print the client as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    body = {"name": args.name, "redirect_uris": args.redirect_uris}
    try:
        client = call_service("auth", "POST", "/clients", json=body)
    except ServiceError as exc:
        return failed("client", exc)
    if args.json:
        print(json.dumps(client))
        return 0
    print(f"    client_id  {client['id']}")
    print(f"client_secret  {client['secret']}")
    for uri in client["redirect_uris"]:
        print(f" redirect_uri  {uri}")
    print("(the secret is shown only now: keep it)")
    return 0
