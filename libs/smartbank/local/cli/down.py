"""`smartbank down`: stop a stack started with `smartbank up --detach`."""

from __future__ import annotations

import argparse

from smartbank.local.launcher import detached
from smartbank.local.launcher.layout import Layout, default_data_dir


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "down",
        help="stop a detached stack",
        description="Stop the stack running in the background on this data directory "
        "($SMARTBANK_HOME or ./.smartbank): its supervisor, every service, Envoy and the broker.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    layout = Layout(default_data_dir())
    if not layout.run.is_dir():
        print("no stack running")
        return 0
    stopped = detached.stop(layout)
    if not stopped:
        print("no stack running")
    elif "supervisor" in stopped:
        print(f"stopped the stack on {layout.root} ({len(stopped) - 1} processes)")
    else:
        print(f"no supervisor was running; stopped leftover processes: {', '.join(stopped)}")
    return 0
