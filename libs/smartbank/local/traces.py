"""Reading traces back from the trace sink's JSON-lines files, and drawing them as a tree."""

from __future__ import annotations

import mmap
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

SPAN_FILES = "spans-*.jsonl"
_HEX_TRACE_ID = re.compile(r"[0-9a-f]{32}")
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """One span as the sink wrote it."""

    trace_id: str
    span_id: str
    parent_id: str | None
    service: str
    name: str
    kind: str
    start: str
    start_ns: int
    duration_ms: float
    status: str
    attributes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SpanRecord:
        return cls(
            trace_id=data["trace_id"],
            span_id=data["span_id"],
            parent_id=data.get("parent_id") or None,
            service=data.get("service", "unknown"),
            name=data.get("name", ""),
            kind=data.get("kind", "UNSPECIFIED"),
            start=data.get("start", ""),
            start_ns=int(data.get("start_ns", 0)),
            duration_ms=float(data.get("duration_ms", 0.0)),
            status=data.get("status", "UNSET"),
            attributes=dict(data.get("attributes") or {}),
        )

    @property
    def end_ns(self) -> int:
        return self.start_ns + int(self.duration_ms * 1e6)

    def summary(self) -> dict[str, Any]:
        """The span as `smartbank trace --json` lists it."""
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_id": self.parent_id,
            "service": self.service,
            "name": self.name,
            "start": self.start,
            "duration_ms": self.duration_ms,
            "status": self.status,
        }


@dataclass(slots=True)
class Node:
    span: SpanRecord
    children: list[Node] = field(default_factory=list)


def normalise_trace_id(raw: str) -> str:
    """32 lowercase hex characters from a trace id written with or without dashes, any case,
    or from a whole `traceparent` header value."""
    text = raw.strip().lower()
    traceparent = _TRACEPARENT.fullmatch(text)
    trace_id = traceparent.group(1) if traceparent else text.replace("-", "")
    if not _HEX_TRACE_ID.fullmatch(trace_id) or trace_id == "0" * 32:
        raise ValueError(f"{raw!r} is not a trace id (32 hex characters)")
    return trace_id


def rfc3339(unix_ns: int) -> str:
    """A span's start as the sink writes it: UTC, to the microsecond."""
    seconds, nanos = divmod(unix_ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{nanos // 1000:06d}Z"


def load_trace(trace_dir: Path, trace_id: str) -> list[SpanRecord]:
    """The trace's spans, ordered by start, each once even if an exporter sent it twice.

    Files are scanned newest first; once one holds the trace, only the day before it is also
    read (a trace can cross midnight), so looking up a recent trace stays fast however much
    history the directory keeps.
    """
    needle = b'"trace_id":"' + normalise_trace_id(trace_id).encode() + b'"'
    spans: dict[str, SpanRecord] = {}
    found_in_newer_file = False
    for path in sorted(trace_dir.glob(SPAN_FILES), reverse=True):
        matches = list(_matching_lines(path, needle))
        for line in matches:
            record = parse_line(line)
            if record is not None:
                spans.setdefault(record.span_id, record)
        if found_in_newer_file:
            break
        found_in_newer_file = bool(matches)
    return sorted(spans.values(), key=lambda span: span.start_ns)


def _matching_lines(path: Path, needle: bytes) -> Iterator[bytes]:
    """Complete lines of `path` containing `needle`; a line still being written is skipped."""
    with path.open("rb") as file:
        if path.stat().st_size == 0:
            return
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            position = data.find(needle)
            while position != -1:
                end = data.find(b"\n", position)
                if end == -1:
                    return
                yield data[data.rfind(b"\n", 0, position) + 1 : end]
                position = data.find(needle, end)


def parse_line(line: bytes) -> SpanRecord | None:
    try:
        return SpanRecord.from_json(orjson.loads(line))
    except (ValueError, KeyError, TypeError):
        return None


def build_tree(spans: Sequence[SpanRecord]) -> list[Node]:
    """The trace as trees: roots are spans whose parent is not in `spans`; children by start."""
    nodes = {span.span_id: Node(span) for span in sorted(spans, key=lambda span: span.start_ns)}
    roots: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(node.span.parent_id or "")
        if parent is None or parent is node:
            roots.append(node)
        else:
            parent.children.append(node)
    return roots


def walk(roots: Sequence[Node], depth: int = 0) -> Iterator[tuple[int, Node]]:
    """Every node, depth first, with its depth."""
    for node in roots:
        yield depth, node
        yield from walk(node.children, depth + 1)


def render_tree(roots: Sequence[Node]) -> str:
    """One line per span, indented under its parent: service, operation, start offset from
    the trace's first span, duration, status."""
    rows = list(walk(roots))
    if not rows:
        return ""
    origin = min(node.span.start_ns for _, node in rows)
    labels = [f"{'  ' * depth}{node.span.service}  {node.span.name}" for depth, node in rows]
    width = max(len(label) for label in labels)
    lines = []
    for label, (_, node) in zip(labels, rows, strict=True):
        offset_ms = (node.span.start_ns - origin) / 1e6
        lines.append(
            f"{label:<{width}}  {offset_ms:+10.3f} ms  {node.span.duration_ms:9.3f} ms"
            f"  {node.span.status}"
        )
    return "\n".join(lines)
