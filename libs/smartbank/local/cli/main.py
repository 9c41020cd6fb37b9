"""Entry point of the `smartbank` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from smartbank.local.cli import (
    chargebacks,
    client,
    control,
    down,
    graph,
    mail,
    pushes,
    seed,
    status,
    swipe,
    trace,
    up,
)

COMMANDS = (up, down, control, status, seed, client, swipe, trace, graph, pushes, chargebacks, mail)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartbank", description="Run and poke the smartbank stack."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
