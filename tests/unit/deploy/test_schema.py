"""`python -m smartbank.deploy.cassandra_schema`: every keyspace from one writer, one service
after another."""

from __future__ import annotations

from typing import Any

import pytest

from smartbank.deploy import cassandra_schema as schema
from smartbank.registry import SERVICES
from smartbank.serve import load_service
from smartbank.settings import PlatformSettings
from smartbank.storage import StorageError, TableStore, open_store


class Recorded:
    """An in-memory store that records ensure and close, its first `failures` ensures failing."""

    def __init__(self, name: str, log: list[tuple[str, str]], failures: int = 0) -> None:
        self.inner = open_store(PlatformSettings(storage="memory"), name)
        self.name, self.log, self.failures = name, log, failures

    async def ensure(self, tables: Any) -> None:
        self.log.append(("ensure", self.name))
        if self.failures:
            self.failures -= 1
            raise StorageError("cannot reach Cassandra at cassandra: connection refused")
        await self.inner.ensure(tables)

    async def close(self) -> None:
        self.log.append(("close", self.name))
        await self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


WITH_TABLES = [s.name for s in SERVICES if load_service(s.name).tables]
FIRST = WITH_TABLES[0]


def opener(log: list[tuple[str, str]], first_failures: int = 0) -> schema.Opener:
    """Opens Recorded stores; the first service's fails its first `first_failures` ensures."""

    def open_recorded(settings: PlatformSettings, name: str) -> TableStore:
        assert (settings.storage, settings.cassandra_schema) == ("cassandra", "create")
        return Recorded(name, log, first_failures if name == FIRST else 0)

    return open_recorded


def test_main_ensures_every_service_with_tables_once_in_registry_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log: list[tuple[str, str]] = []

    assert schema.main(opener(log)) == 0

    assert len(WITH_TABLES) == 9
    assert log == [(step, n) for n in WITH_TABLES for step in ("ensure", "close")]
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in printed] == [
        f"keyspace {n.replace('-', '_')}" for n in WITH_TABLES
    ]


def test_main_retries_while_cassandra_does_not_answer(capsys: pytest.CaptureFixture[str]) -> None:
    log: list[tuple[str, str]] = []

    assert schema.main(opener(log, first_failures=1)) == 0

    assert log[:3] == [("ensure", FIRST), ("ensure", FIRST), ("close", FIRST)]
    assert len(log) == 2 * len(WITH_TABLES) + 1
    assert "does not answer yet" in capsys.readouterr().out


def test_main_exits_1_when_cassandra_never_answers(capsys: pytest.CaptureFixture[str]) -> None:
    log: list[tuple[str, str]] = []

    assert schema.main(opener(log, first_failures=1), deadline_seconds=0) == 1

    assert log == [("ensure", FIRST), ("close", FIRST)]
    assert "schema not created: cannot reach Cassandra" in capsys.readouterr().err


def test_main_exits_1_without_cassandra_hosts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CASSANDRA_HOSTS", " ")

    assert schema.main() == 1
    assert "cassandra_hosts is empty" in capsys.readouterr().err
