"""The real parts for one pytest session: each started once, shared by every test that needs it.

    pytest -p tests.real.plugin tests/real tests/contract

Loaded with `-p`, the plugin starts Cassandra and Kafka before any conftest is imported and
exports CASSANDRA_HOSTS and KAFKA_BOOTSTRAP (with KAFKA_IDEMPOTENCE=true, as the cluster runs),
which is how tests/contract chooses its backends: the storage contract then runs on Cassandra
too, the event contract on Apache Kafka instead of a Tansu. Without `-p`, tests/real's fixtures
start what they use on first use. Parts run from the cache; one that is missing skips the tests
that need it, with a reason naming `make real-parts`, except under CI, where it fails them.
SMARTBANK_REAL_PARTS (default "cassandra,kafka,jaeger") chooses what `-p` starts early.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any

import pytest

from smartbank.local.real import parts
from smartbank.local.real.cassandra import running_cassandra
from smartbank.local.real.jaeger import running_jaeger
from smartbank.local.real.kafka import running_kafka
from smartbank.local.real.process import Running

# Kafka and Cassandra serve their metrics through the JMX exporter, as in the cluster.
STARTERS: dict[str, Callable[[Path], AbstractContextManager[Any]]] = {
    "cassandra": lambda root: running_cassandra(root, metrics_port=0),
    "kafka": lambda root: running_kafka(root, metrics_port=0),
    "jaeger": running_jaeger,
}


class Parts:
    """Parts started on first use, under one temporary directory, all stopped by `close`."""

    def __init__(self) -> None:
        self._root: Path | None = None
        self._stack = ExitStack()
        self._stack_lock = threading.Lock()  # parts start side by side, in threads
        self._started: dict[str, Any] = {}
        self._failed: dict[str, str] = {}  # not installed: a skip, locally
        self._broken: dict[str, str] = {}  # installed, but it would not start: a failure
        self._locks = {name: threading.Lock() for name in STARTERS}

    def get(self, name: str) -> Any:
        """The running part, or a skip (a fail under CI) saying why it cannot run."""
        self.ensure(name)
        if name in self._broken:
            pytest.fail(self._broken[name], pytrace=False)
        if name in self._failed:
            unavailable(self._failed[name])
        return self._started[name]

    def ensure(self, name: str) -> None:
        """Start the part unless it was started (or failed to start) already."""
        with self._locks[name]:
            if not any(name in d for d in (self._started, self._failed, self._broken)):
                self._start(name)

    def _start(self, name: str) -> None:
        try:
            getattr(parts, name)().require()
            with self._stack_lock:
                self._root = self._root or Path(tempfile.mkdtemp(prefix="smartbank-real-"))
            started = STARTERS[name](self._root / name)
            value = started.__enter__()
            with self._stack_lock:
                self._stack.push(started.__exit__)
            self._started[name] = value
        except parts.PartMissing as exc:
            self._failed[name] = str(exc)
        except Exception as exc:
            self._broken[name] = f"{name} did not start: {exc}"

    def reason(self, name: str) -> str | None:
        return self._failed.get(name)

    def broken(self, name: str) -> str | None:
        return self._broken.get(name)

    def running(self) -> dict[str, Running]:
        return {n: getattr(p, "running", p) for n, p in self._started.items()}

    def close(self) -> None:
        self._stack.close()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"a real part is needed and missing: {reason}", pytrace=False)
    pytest.skip(reason)


def installed(part: parts.Part) -> None:
    """For a test that starts a part of its own: skip (fail under CI) unless it is installed."""
    try:
        part.require()
    except parts.PartMissing as exc:
        unavailable(str(exc))


PARTS = Parts()


def start_early(names: list[str]) -> None:
    """Start parts side by side (a JVM start is mostly waiting) and export where they are."""
    threads = [threading.Thread(target=PARTS.ensure, args=(n,)) for n in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    broken = [b for b in map(PARTS.broken, names) if b]
    missing = [m for m in map(PARTS.reason, names) if m]
    if broken or (missing and os.environ.get("CI")):
        raise pytest.UsageError("real parts did not start:\n" + "\n".join([*broken, *missing]))
    running = PARTS.running()
    if "cassandra" in running:
        os.environ["CASSANDRA_HOSTS"] = running["cassandra"].launch.address
    if "kafka" in running:
        os.environ["KAFKA_BOOTSTRAP"] = running["kafka"].launch.address
        os.environ["KAFKA_IDEMPOTENCE"] = "true"


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    chosen = os.environ.get("SMARTBANK_REAL_PARTS", ",".join(STARTERS))
    start_early([n for n in chosen.split(",") if n in STARTERS])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Cassandra's contract cases skip with our reason (make real-parts), not "not set"."""
    reason = PARTS.reason("cassandra")
    if reason is None:
        return
    marker = pytest.mark.skipif(True, reason=reason)  # skipif marks are read before skip marks
    for item in items:
        if "[cassandra" in item.nodeid:
            item.add_marker(marker, append=False)  # ahead of the contract's own skipif


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, running in PARTS.running().items():
        terminalreporter.write_line(
            f"real part {name}: ready in {running.started_in:.1f} s, "
            f"resident {running.rss_mib():.0f} MiB now ({running.launch.address})"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    PARTS.close()
