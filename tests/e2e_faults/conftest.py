"""A detached stack of its own (`smartbank up --detach` on a fresh data directory) for tests
that kill its processes, so the stack tests/e2e shares never feels them.

Both stacks listen on the registry's ports, so they cannot run at the same time: run these
on their own (`pytest tests/e2e_faults`) or after tests/e2e, whose stack goes down with its
package. A stack someone else runs on this machine is waited for, for a while.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from smartbank.local.launcher.ports import required, taken
from smartbank.registry import SERVICES
from tests.e2e.conftest import E2E_ENV
from tests.e2e.driver import Bank

PORTS_WAIT = 120.0
Smartbank = Callable[..., subprocess.CompletedProcess[str]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e_faults/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


def await_free_ports(timeout: float = PORTS_WAIT) -> None:
    deadline = time.monotonic() + timeout
    while busy := taken(required(SERVICES)):
        if time.monotonic() >= deadline:
            pytest.fail(f"the stack's ports are still taken after {timeout:g} s: {busy}")
        time.sleep(1.0)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data directory of a detached stack that is up and ready."""
    home = tmp_path_factory.mktemp("faults")
    run = runner(home)
    await_free_ports()
    started = run("up", "--detach", timeout=200)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield home
    finally:
        run("down", timeout=60)


@pytest.fixture(scope="module")
def smartbank(home: Path) -> Smartbank:
    """Runs the `smartbank` command against the stack in `home`."""
    return runner(home)


def runner(home: Path) -> Smartbank:
    env = {**os.environ, "SMARTBANK_HOME": str(home), **E2E_ENV}

    def run(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "smartbank.local.cli.main", *args]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)

    return run


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bank(home: Path) -> AsyncIterator[Bank]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:
        yield Bank(client)
