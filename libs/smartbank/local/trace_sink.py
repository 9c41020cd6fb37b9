"""The local trace sink: a minimal OTLP/HTTP trace receiver that writes spans as JSON lines.

Locally there is no Jaeger, so every service and Envoy export to this process instead, and
`smartbank trace` reads the files back. It accepts what OTLP/HTTP clients send to `/v1/traces`:
binary protobuf (the Python SDK's exporter, and Envoy's OpenTelemetry tracer, which always posts
`application/x-protobuf`) and OTLP JSON, optionally gzip-compressed. It answers 200 with an empty
`ExportTraceServiceResponse` in the request's encoding.

    python -m smartbank.local.trace_sink --port 4318 --dir .smartbank/traces [--forward URL]

With `--forward` (the launcher passes the user's OTEL_EXPORTER_OTLP_ENDPOINT), every export is
also sent on unchanged, so a local Jaeger sees the same traces.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gzip
import logging
import signal
import sys
import zlib
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, Any

import httpx
import orjson
import uvicorn
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from smartbank.local.traces import rfc3339
from smartbank.server import QuietServer

log = logging.getLogger("smartbank.local.trace_sink")

Record = dict[str, Any]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
STATUSES = {0: "UNSET", 1: "OK", 2: "ERROR"}
PROTOBUF_TYPES = {b"application/x-protobuf", b"application/protobuf"}
MAX_BODY_BYTES = 64 * 1024 * 1024
EMPTY_PROTOBUF_RESPONSE = ExportTraceServiceResponse().SerializeToString()
FORWARD_TIMEOUT = 5.0
MAX_FORWARDS_IN_FLIGHT = 64
FORWARDED_HEADERS = frozenset({b"content-type", b"content-encoding"})
BAD_PAYLOAD = (
    DecodeError,
    json_format.ParseError,
    ValueError,
    TypeError,
    OSError,
    EOFError,
    zlib.error,
)


def records_from_protobuf(body: bytes) -> list[Record]:
    """One flat record per span in a binary `ExportTraceServiceRequest`."""
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    return _records(request)


def records_from_json(body: bytes) -> list[Record]:
    """Records from OTLP JSON, whose ids are hex rather than protobuf JSON's base64."""
    document = orjson.loads(body)
    if not isinstance(document, dict):
        raise ValueError("an OTLP JSON body is an object")
    for span in _json_spans(document):
        _hex_ids_to_base64(span)
        for link in _dicts(span.get("links")):
            _hex_ids_to_base64(link)
    request = ExportTraceServiceRequest()
    json_format.ParseDict(document, request, ignore_unknown_fields=True)
    return _records(request)


def _records(request: ExportTraceServiceRequest) -> list[Record]:
    records: list[Record] = []
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        service = str(resource.get("service.name", "unknown"))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                start_ns = span.start_time_unix_nano
                records.append(
                    {
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_id": span.parent_span_id.hex() or None,
                        "service": service,
                        "name": span.name,
                        "kind": KINDS.get(span.kind, "UNSPECIFIED"),
                        "start": rfc3339(start_ns),
                        "start_ns": start_ns,
                        "duration_ms": max(span.end_time_unix_nano - start_ns, 0) / 1e6,
                        "status": STATUSES.get(span.status.code, "UNSET"),
                        "attributes": _attributes(span.attributes),
                    }
                )
    return records


def _json_spans(document: dict[str, Any]) -> Iterable[dict[str, Any]]:
    for resource_spans in _dicts(document.get("resourceSpans", document.get("resource_spans"))):
        for key in ("scopeSpans", "scope_spans"):
            for scope_spans in _dicts(resource_spans.get(key)):
                yield from _dicts(scope_spans.get("spans"))


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _hex_ids_to_base64(message: dict[str, Any]) -> None:
    for key in ("traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id"):
        value = message.get(key)
        if isinstance(value, str) and value:
            try:
                raw = bytes.fromhex(value)
            except ValueError:
                continue  # already base64, as a protobuf JSON encoder would write it
            message[key] = base64.b64encode(raw).decode("ascii")


def _attributes(pairs: Iterable[KeyValue]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for pair in pairs:
        _flatten(flat, pair.key, pair.value)
    return flat


def _flatten(flat: dict[str, Any], key: str, value: AnyValue) -> None:
    if value.WhichOneof("value") == "kvlist_value":
        for pair in value.kvlist_value.values:
            _flatten(flat, f"{key}.{pair.key}", pair.value)
    else:
        flat[key] = _simple(value)


def _simple(value: AnyValue) -> Any:
    field = value.WhichOneof("value")
    if field is None:
        return None
    if field == "array_value":
        return [_simple(item) for item in value.array_value.values]
    if field == "kvlist_value":
        return str(_attributes(value.kvlist_value.values))
    if field == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, field)


class SpanWriter:
    """Appends records to one JSON-lines file per UTC day, flushed after every batch."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._directory = directory
        self._day = ""
        self._file: IO[bytes] | None = None

    def write(self, records: Sequence[Record]) -> None:
        if not records:
            return
        day = datetime.now(UTC).strftime("%Y%m%d")
        if self._file is None or day != self._day:
            self.close()
            self._file = (self._directory / f"spans-{day}.jsonl").open("ab")
            self._day = day
        option = orjson.OPT_APPEND_NEWLINE
        self._file.write(b"".join(orjson.dumps(record, option=option) for record in records))
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class Forwarder:
    """Sends every accepted export on, as it came, to another OTLP/HTTP collector (a Jaeger
    the user runs): the local files stay, and the spans also reach real tooling. Best effort:
    a collector that is down costs a warning, never the export to the sink."""

    def __init__(self, endpoint: str, client: httpx.AsyncClient | None = None) -> None:
        self.url = endpoint.rstrip("/") + "/v1/traces"
        self.client = client or httpx.AsyncClient(timeout=FORWARD_TIMEOUT, trust_env=False)
        self.pending: set[asyncio.Task[None]] = set()

    def send(self, body: bytes, headers: dict[bytes, bytes]) -> None:
        if len(self.pending) >= MAX_FORWARDS_IN_FLIGHT:
            log.warning("collector %s is behind; an export was not forwarded", self.url)
            return
        task = asyncio.create_task(self._post(body, headers))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _post(self, body: bytes, headers: dict[bytes, bytes]) -> None:
        kept = {k.decode(): v.decode() for k, v in headers.items() if k in FORWARDED_HEADERS}
        try:
            response = await self.client.post(self.url, content=body, headers=kept)
            if response.status_code >= 300:
                log.warning("collector %s answered %d", self.url, response.status_code)
        except httpx.HTTPError as error:
            log.warning("collector %s unreachable: %s", self.url, error)


class SinkApp:
    """A plain ASGI app: POST .../v1/traces stores spans, GET /healthz answers 200."""

    def __init__(self, writer: SpanWriter, forwarder: Forwarder | None = None) -> None:
        self._writer = writer
        self._forwarder = forwarder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        if path == "/healthz":
            await _respond(send, 200, b"text/plain", b"ok\n")
        elif not path.endswith("/v1/traces"):
            await _respond(send, 404, b"text/plain", b"not found\n")
        elif method != "POST":
            await _respond(send, 405, b"text/plain", b"method not allowed\n")
        else:
            await self._export(scope, receive, send)

    async def _export(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        is_json = content_type == b"application/json"
        if not is_json and content_type not in PROTOBUF_TYPES:
            await _respond(send, 415, b"text/plain", b"unsupported content type\n")
            return
        received = await _read_body(receive)
        if received is None:
            await _respond(send, 413, b"text/plain", b"request body too large\n")
            return
        try:
            body = received
            if headers.get(b"content-encoding", b"").lower() == b"gzip":
                body = gzip.decompress(body)
            records = records_from_json(body) if is_json else records_from_protobuf(body)
        except BAD_PAYLOAD as error:
            await _respond(send, 400, b"text/plain", f"bad OTLP payload: {error}\n".encode())
            return
        self._writer.write(records)
        if self._forwarder is not None:
            self._forwarder.send(received, headers)
        if is_json:
            await _respond(send, 200, b"application/json", b"{}")
        else:
            await _respond(send, 200, b"application/x-protobuf", EMPTY_PROTOBUF_RESPONSE)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it is larger than MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _respond(send: Send, status: int, content_type: bytes, body: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Receive OTLP/HTTP traces, write JSON lines.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4318)
    parser.add_argument("--dir", type=Path, required=True, help="where spans-YYYYMMDD.jsonl go")
    parser.add_argument("--forward", default="", help="an OTLP/HTTP endpoint to send spans on to")
    args = parser.parse_args(argv)
    writer = SpanWriter(args.dir)
    config = uvicorn.Config(
        SinkApp(writer, Forwarder(args.forward) if args.forward else None),
        host=args.host,
        port=args.port,
        lifespan="off",
        access_log=False,
        log_level="warning",
        server_header=False,
        date_header=False,
        timeout_graceful_shutdown=5,
    )
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then re-raises the signal against the
    # handler installed before it started: this one, so the process exits 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    signal.signal(signal.SIGINT, _exit_cleanly)
    try:
        QuietServer(config).run()
    finally:
        writer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
