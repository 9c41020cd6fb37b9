"""`make real-parts`: fetch Apache Kafka, Apache Cassandra, Jaeger and Prometheus' JMX exporter
agent into the cache.

python -m smartbank.local.real.install [--check] [--relock] [PART ...]   # kafka, cassandra,
                                                                      # jaeger, jmx-exporter

A part already in the cache is skipped, so a second run costs a few stat calls. `--check`
fetches nothing: it exits 0 when every part named is present, 1 otherwise. A missing or too
old Java, Maven or Go is reported with what to install, exit 2, before anything is fetched.
Each part fetched prints what it cost: the time, the bytes downloaded (growth of the shared
Maven repository or Go module download cache) and its size in the cache.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from smartbank.local.real import build, parts, tools
from smartbank.local.real.parts import Part

MiB = 1 << 20


def size(path: Path) -> int:
    """Bytes under `path` (0 when absent); hard links and symlinks are not followed twice."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def downloads(part: Part) -> Path:
    """Where the part's downloads accumulate, shared with other parts and versions."""
    root = parts.cache_root()
    return root / "go" / "mod" / "cache" / "download" if part.name == "jaeger" else root / "maven"


def fetch(part: Part, relock: bool) -> str:
    before, began = size(downloads(part)), time.monotonic()
    if not build.install(part, relock=relock):
        return f"{part.name} {part.version}: present in {part.home}"
    took = time.monotonic() - began
    fetched = (size(downloads(part)) - before) / MiB
    kept = size(part.home) / MiB
    return (
        f"{part.name} {part.version}: fetched in {took:.1f} s, {fetched:.0f} MiB downloaded, "
        f"{kept:.0f} MiB in {part.home}"
    )


def check(chosen: list[Part]) -> int:
    absent = [p for p in chosen if not p.installed]
    for part in chosen:
        state = "missing" if part in absent else "present"
        print(f"{part.name} {part.version}: {state} ({part.home})")
    if absent:
        print("run `make real-parts` to fetch what is missing", file=sys.stderr)
    return 1 if absent else 0


def main(argv: list[str] | None = None) -> int:
    known = {p.name: p for p in parts.all_parts()}
    parser = argparse.ArgumentParser(
        prog="python -m smartbank.local.real.install", description="Fetch the real parts."
    )
    parser.add_argument("parts", nargs="*", help=f"of {', '.join(known)}; default: all")
    parser.add_argument("--check", action="store_true", help="fetch nothing, say what is there")
    parser.add_argument("--relock", action="store_true", help="rewrite jars.sha256 (Maven parts)")
    args = parser.parse_args(argv)
    if unknown := set(args.parts) - known.keys():
        parser.error(f"no such part: {', '.join(sorted(unknown))}")
    chosen = [known[n] for n in args.parts] or list(known.values())
    if args.check:
        return check(chosen)
    relock = {p.name: args.relock and p.name != "jaeger" for p in chosen}  # go.sum: `go mod`
    todo = [p.name for p in chosen if relock[p.name] or not p.installed]
    problems = tools.missing(todo)
    if problems:
        print("cannot fetch the real parts:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    began = time.monotonic()
    try:
        for part in chosen:
            print(fetch(part, relock[part.name]), flush=True)
    except build.BuildFailed as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1
    print(f"real parts ready in {time.monotonic() - began:.1f} s (cache: {parts.cache_root()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
