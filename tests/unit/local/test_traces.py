"""Reading traces back from the sink's files and showing them."""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from smartbank.local.cli import trace as trace_cli
from smartbank.local.trace_sink import SpanWriter
from smartbank.local.traces import (
    SpanRecord,
    build_tree,
    load_trace,
    normalise_trace_id,
    render_tree,
)

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
OTHER = "00f067aa0ba902b700f067aa0ba902b7"
T0 = 1_700_000_000_000_000_000


def _span(
    span_id: str, parent_id: str | None, service: str, offset_ms: float, **extra: Any
) -> dict:
    record: dict[str, Any] = {
        "trace_id": TRACE,
        "span_id": span_id,
        "parent_id": parent_id,
        "service": service,
        "name": f"{service} op",
        "kind": "SERVER",
        "start": "2023-11-14T22:13:20.000000Z",
        "start_ns": T0 + int(offset_ms * 1e6),
        "duration_ms": 5.0,
        "status": "OK",
        "attributes": {},
    }
    return record | extra


SWIPE = [
    _span("a" * 16, None, "card-api", 0.0, duration_ms=20.0),
    _span("d" * 16, "b" * 16, "balance", 4.0, status="ERROR"),
    _span("b" * 16, "a" * 16, "card-processing", 1.5, duration_ms=15.0),
    _span("c" * 16, "b" * 16, "cards", 2.0),
]


def _write(path: Path, records: list[dict], tail: bytes = b"") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as file:
        file.write(b"".join(orjson.dumps(record) + b"\n" for record in records) + tail)


def _records(records: list[dict]) -> list[SpanRecord]:
    return [SpanRecord.from_json(record) for record in records]


@pytest.mark.parametrize(
    "raw",
    [
        TRACE,
        TRACE.upper(),
        "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
        f" 00-{TRACE}-00f067aa0ba902b7-01 ",
    ],
)
def test_normalise_trace_id_accepts_dashes_case_and_traceparent(raw: str) -> None:
    assert normalise_trace_id(raw) == TRACE


@pytest.mark.parametrize("raw", ["", "xyz", TRACE[:-1], "0" * 32])
def test_normalise_trace_id_rejects_what_is_not_a_trace_id(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_trace_id(raw)


def test_load_trace_reads_sink_files_and_skips_other_traces(tmp_path: Path) -> None:
    SpanWriter(tmp_path).write([*SWIPE, _span("e" * 16, None, "feed", 0.0, trace_id=OTHER)])

    spans = load_trace(tmp_path, TRACE.upper())

    assert [span.service for span in spans] == ["card-api", "card-processing", "cards", "balance"]


def test_load_trace_joins_a_trace_crossing_midnight_and_drops_duplicates(tmp_path: Path) -> None:
    _write(tmp_path / "spans-20240101.jsonl", SWIPE[:2])
    _write(tmp_path / "spans-20240102.jsonl", SWIPE[1:], tail=b'{"trace_id":"' + TRACE.encode())

    spans = load_trace(tmp_path, TRACE)

    assert len(spans) == 4
    assert len({span.span_id for span in spans}) == 4


def test_load_trace_of_unknown_trace_is_empty(tmp_path: Path) -> None:
    _write(tmp_path / "spans-20240101.jsonl", SWIPE)
    (tmp_path / "spans-20240102.jsonl").touch()
    assert load_trace(tmp_path, OTHER) == []


def test_build_tree_nests_children_by_start_under_their_parent() -> None:
    orphan = _span("f" * 16, "9" * 16, "webhook", 30.0)

    roots = build_tree(_records([*SWIPE, orphan]))

    assert [root.span.service for root in roots] == ["card-api", "webhook"]
    (processing,) = roots[0].children
    assert [child.span.service for child in processing.children] == ["cards", "balance"]


def test_render_tree_shows_service_operation_offset_duration_and_status() -> None:
    lines = render_tree(build_tree(_records(SWIPE))).splitlines()

    assert len(lines) == 4
    assert lines[0].startswith("card-api  card-api op")
    assert lines[1].startswith("  card-processing  card-processing op")
    assert lines[3].startswith("    balance  balance op")
    assert lines[3].split()[-5:] == ["+4.000", "ms", "5.000", "ms", "ERROR"]
    assert lines[0].split()[-5:] == ["+0.000", "ms", "20.000", "ms", "OK"]


def _run(trace_id: str, *, as_json: bool = False, wait: float = 0.0) -> int:
    return trace_cli.run(argparse.Namespace(trace_id=trace_id, json=as_json, wait=wait))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SMARTBANK_HOME", str(tmp_path))
    return tmp_path


def test_trace_json_lists_spans_in_tree_order_with_contract_keys(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    SpanWriter(home / "traces").write(SWIPE)

    code = _run(TRACE, as_json=True)

    spans = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [span["service"] for span in spans] == [
        "card-api",
        "card-processing",
        "cards",
        "balance",
    ]
    assert set(spans[0]) == {
        *("service", "name", "span_id", "parent_id", "start", "duration_ms", "trace_id", "status")
    }
    assert (spans[0]["parent_id"], spans[1]["parent_id"]) == (None, "a" * 16)


def test_trace_prints_the_tree(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    SpanWriter(home / "traces").write(SWIPE)

    assert _run(TRACE) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("  card-processing")


@pytest.mark.parametrize("trace_id", [OTHER, "not-a-trace"])
def test_trace_of_unknown_or_malformed_id_fails_on_stderr(
    home: Path, capsys: pytest.CaptureFixture[str], trace_id: str
) -> None:
    assert _run(trace_id) == 1
    output = capsys.readouterr()
    assert (output.out, bool(output.err)) == ("", True)


def test_trace_wait_picks_up_spans_exported_later(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = threading.Timer(0.3, SpanWriter(home / "traces").write, args=(SWIPE,))
    writer.start()
    started = time.monotonic()

    code = _run(TRACE, as_json=True, wait=5.0)

    writer.join()
    assert code == 0
    assert len(json.loads(capsys.readouterr().out)) == 4
    assert time.monotonic() - started < 2.0


def test_trace_parser_accepts_the_contract_arguments() -> None:
    parser = argparse.ArgumentParser()
    trace_cli.register(parser.add_subparsers())

    args = parser.parse_args(["trace", TRACE, "--json", "--wait", "3"])

    assert (args.trace_id, args.json, args.wait, args.run) == (TRACE, True, 3.0, trace_cli.run)
