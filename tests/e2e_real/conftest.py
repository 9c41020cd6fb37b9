"""The local stack on the real parts (`--infra real`: Apache Kafka, Apache Cassandra, Jaeger),
started once for every test in this package; the fixtures on top of it are tests/e2e's.

A part that is not in the cache skips these tests with how to get it (`make real-parts`),
except under CI, where that is a failure (tests/real/plugin.py `unavailable`). The stack uses
the registry's fixed ports, as tests/e2e's does: the two packages run one after the other.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartbank.local.launcher.infra import REAL, RealPartsMissing
from smartbank.local.launcher.stack import Stack
from tests.e2e.conftest import E2E_ENV, bank, http, mark_e2e
from tests.real.plugin import unavailable

__all__ = ["bank", "http"]  # tests/e2e's fixtures, on this package's stack

READY_TIMEOUT = 180.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_e2e(items, "/e2e_real/")


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home: Path = tmp_path_factory.mktemp("smartbank-real")
    running = Stack(home, env=E2E_ENV, infra=REAL)
    began = time.monotonic()
    try:
        running.start()
    except RealPartsMissing as missing:
        unavailable(str(missing))
    try:
        running.wait_ready(READY_TIMEOUT)
        print(f"\nthe real stack was ready in {time.monotonic() - began:.1f} s")
        yield running
    finally:
        running.stop()
