"""`smartbank pushes [--account ACC] [--json]`: what the local APNs sink was sent."""

from __future__ import annotations

import argparse
import json
from typing import Any

from smartbank.local.launcher.layout import Layout, default_data_dir
from smartbank.local.push_sink import read_pushes


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "pushes",
        help="push notifications delivered to the local APNs sink",
        description="List the push notifications the local stack's APNs sink accepted.",
    )
    parser.add_argument("--account", metavar="ACC", help="only this account's pushes")
    parser.add_argument("--json", action="store_true", help="print the pushes as a JSON list")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = Layout(default_data_dir()).pushes
    pushes = read_pushes(path, args.account)
    if args.json:
        print(json.dumps([summary(p) for p in pushes], indent=2, ensure_ascii=False))
    elif not pushes:
        print(f"no pushes in {path}")
    for push in pushes if not args.json else ():
        s = summary(push)
        print(f"{s['time']}  {s['account_id']}  {s['title']} — {s['body']}  (→ {s['token'][:12]}…)")
    return 0


def summary(push: dict[str, Any]) -> dict[str, Any]:
    payload = push.get("payload", {})
    alert = payload.get("aps", {}).get("alert", {})
    return {
        "time": push.get("time"),
        "account_id": payload.get("aps", {}).get("thread-id"),
        "title": alert.get("title"),
        "body": alert.get("body"),
        "token": push.get("token", ""),
        "apns_id": push.get("apns_id"),
        "transaction_id": payload.get("transaction_id"),
        "payload": payload,
    }
