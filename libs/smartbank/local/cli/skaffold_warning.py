"""A warning when a command reaches the local stack while skaffold forwards a cluster.

With the local stack (`make run`) holding 127.0.0.1:8080 and 8090, `skaffold dev` forwards the
cluster's edge to other ports, and every command here still reaches the local stack: whoever runs
them believes they are testing the cluster. main() asks before each command that reaches the
stack, and the command then runs all the same. Cheap enough for every call: one pid file, and
only while a stack runs, one pass over /proc. `smartbank up` warns the same way as it starts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

from smartbank.local.launcher import detached
from smartbank.local.launcher.forwarding import PROC, skaffold_forwarding
from smartbank.local.launcher.layout import Layout, default_data_dir
from smartbank.local.launcher.ports import HOST, StackPorts

ELSEWHERE = (
    "skaffold forwarded the cluster's edge to other ports "
    '(see its "Port forwarding service/edge" lines)'
)


def warn(args: argparse.Namespace, proc: Path = PROC) -> None:
    """Print the warning on stderr, if there is one, for the command `args` will run."""
    found = warning(Layout(default_data_dir()), getattr(args, "url", None), proc)
    if found:
        print(found, file=sys.stderr, flush=True)


def warning(layout: Layout, url: str | None = None, proc: Path = PROC) -> str | None:
    """The warning while a stack runs on the data dir and skaffold forwards a cluster; None
    otherwise, and for a command whose `url` (its --url) is not the local stack's edge."""
    if url is not None and not local_edge(url):
        return None
    if detached.running_supervisor(layout) is None:
        return None
    skaffold = skaffold_forwarding(proc)
    if skaffold is None:
        return None
    forwarding = f"warning: skaffold (pid {skaffold}) is forwarding the cluster, but"
    if url is None:
        return (
            f"{forwarding} this command reaches the local stack (make run), not the cluster: "
            f"{ELSEWHERE}; stop make run if it is the cluster you mean to test"
        )
    edge = urlsplit(url).netloc
    return (
        f"{forwarding} {edge} is the local stack's (make run): {ELSEWHERE}; "
        "pass --url to reach it, or stop make run"
    )


def starting(skaffold: int) -> str:
    """What `smartbank up` says when it starts while skaffold forwards a cluster."""
    ports = StackPorts()
    return (
        f"warning: skaffold (pid {skaffold}) is forwarding the cluster: it takes "
        f"{HOST}:{ports.public_api} and {ports.card_network} when they are free, and while both "
        "run the smartbank commands reach this local stack, not the cluster (skaffold's "
        '"Port forwarding service/edge" lines say where the cluster\'s edge is)'
    )


def local_edge(url: str) -> bool:
    """Whether `url` is one of the local stack's edge listeners (the public API, the card
    network interface)."""
    parsed = urlsplit(url)
    try:
        port = parsed.port
    except ValueError:
        return False
    return parsed.hostname in (HOST, "localhost") and port in StackPorts().edges
