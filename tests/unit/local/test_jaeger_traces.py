"""Traces read from Jaeger's query API, and `smartbank trace` / `graph` reading them there when
the stack on the data dir runs `--infra real`; Jaeger is a fake serving its JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smartbank.local.cli.main import main
from smartbank.local.jaeger_traces import load_trace, records
from smartbank.local.launcher import StackPorts, infra
from smartbank.local.launcher.layout import Layout
from tests.unit.local.http_kit import JsonHandler, serving

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def span(span_id: str, name: str, kind: str, parent: str | None, pid: str) -> dict[str, Any]:
    refs = [{"refType": "CHILD_OF", "traceID": TRACE_ID, "spanID": parent}] if parent else []
    tags = [{"key": "span.kind", "type": "string", "value": kind}]
    if kind == "consumer":
        tags.append({"key": "messaging.destination.name", "value": "transaction.created"})
    return {
        "traceID": TRACE_ID, "spanID": span_id, "operationName": name, "references": refs,
        "startTime": 1_764_000_000_000_000 + int(span_id, 16), "duration": 1500, "tags": tags,
        "processID": pid,
    }  # fmt: skip


A1, A2, A3 = "00000000000000a1", "00000000000000a2", "00000000000000a3"
TRACE = {
    "traceID": TRACE_ID,
    "spans": [
        span(A3, "process transaction.created", "consumer", A2, "p3"),
        span(A1, "POST /network/v1/authorisations", "server", None, "p1"),
        span(A2, "POST /authorisations", "server", A1, "p2"),
    ],
    "processes": {
        "p1": {"serviceName": "card-api"},
        "p2": {"serviceName": "card-processing"},
        "p3": {"serviceName": "transaction-enrichment"},
    },
}  # fmt: skip


class FakeJaeger(JsonHandler):
    def do_GET(self) -> None:
        if self.path == "/api/services":
            self.answer(200, {"data": ["card-api", "card-processing"]})
        elif self.path == f"/api/traces/{TRACE_ID}" or self.path.startswith("/api/traces?"):
            self.answer(200, {"data": [TRACE]})
        else:
            self.answer(404, {"data": None, "errors": [{"code": 404, "msg": "trace not found"}]})


@pytest.fixture
def jaeger() -> Iterator[str]:
    with serving(FakeJaeger) as url:
        yield url


@pytest.fixture
def real_stack(jaeger: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir whose stack runs `--infra real`, its Jaeger the fake."""
    port = int(jaeger.rpartition(":")[2])
    infra.record(Layout(tmp_path), infra.Real(), StackPorts(jaeger_query=port))
    monkeypatch.setenv("SMARTBANK_HOME", str(tmp_path))
    return tmp_path


def test_records_take_service_kind_parent_and_topic_from_jaegers_json() -> None:
    by_name = {record.name: record for record in records(TRACE)}
    consumer = by_name["process transaction.created"]
    assert (consumer.service, consumer.kind) == ("transaction-enrichment", "CONSUMER")
    assert consumer.parent_id == A2 and consumer.duration_ms == 1.5
    assert consumer.attributes["messaging.destination.name"] == "transaction.created"
    root = by_name["POST /network/v1/authorisations"]
    assert root.parent_id is None and root.status == "UNSET"
    assert root.start.startswith("2025-11-24T") and root.start.endswith("Z")


def test_load_trace_is_ordered_by_start_and_empty_for_a_trace_jaeger_lacks(jaeger: str) -> None:
    assert [s.span_id[-2:] for s in load_trace(jaeger, TRACE_ID)] == ["a1", "a2", "a3"]
    assert load_trace(jaeger, "1" * 32) == []


def test_trace_command_reads_jaeger_when_the_stack_runs_real(
    real_stack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", TRACE_ID, "--json"]) == 0
    spans = json.loads(capsys.readouterr().out)
    assert [(s["service"], s["parent_id"]) for s in spans] == [
        ("card-api", None),
        ("card-processing", A1),
        ("transaction-enrichment", A2),
    ]
    assert main(["trace", "1" * 32]) == 1
    assert "no spans for trace 11111111" in capsys.readouterr().err


def test_graph_command_draws_the_calls_in_jaegers_traces(
    real_stack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph"]) == 0
    drawn = capsys.readouterr().out
    assert "card_api[card-api] -->|1| card_processing[card-processing]" in drawn
    assert "-->|kafka transaction.created · 1| transaction_enrichment" in drawn
