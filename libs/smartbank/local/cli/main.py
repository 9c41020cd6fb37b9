"""Entry point of the `smartbank` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from smartbank.local.cli import (
    chargebacks,
    client,
    control,
    down,
    graph,
    mail,
    pushes,
    seed,
    skaffold_warning,
    status,
    swipe,
    trace,
    up,
)
from smartbank.local.launcher.forwarding import PROC

COMMANDS = (up, down, control, status, seed, client, swipe, trace, graph, pushes, chargebacks, mail)
# Every command but these reaches the running stack (`up` warns about skaffold itself, `down`
# only stops the local stack).
LAUNCHING = ("up", "down")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartbank", description="Run and poke the smartbank stack."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, *, proc: Path = PROC) -> int:
    args = build_parser().parse_args(argv)
    if args.command not in LAUNCHING:
        skaffold_warning.warn(args, proc)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
