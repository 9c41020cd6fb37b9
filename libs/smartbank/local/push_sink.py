"""A local stand-in for APNs: validates pushes as Apple would and records the accepted ones.

Run it with `python -m smartbank.local.push_sink --port P --file F`; each accepted push
becomes one JSON line in F, which `read_pushes` (and so `smartbank pushes`) reads back. The
provider token's signature is not verified: the local stack signs with an ephemeral key Apple
would never accept.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anyio.to_thread
import jwt
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from smartbank import timeutil
from smartbank.server import QuietServer

HEADERS_OF_INTEREST = ("apns-topic", "apns-push-type", "apns-priority", "apns-expiration")
MAX_PAYLOAD_BYTES = 4096
TOKEN_LIFETIME_SECONDS = 3600
DEVICE_TOKEN = re.compile(r"[0-9a-fA-F]{64,200}")


class Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def create_app(file: Path, unregistered: Iterable[str] = ()) -> Starlette:
    sink = Sink(file, {token.lower() for token in unregistered})
    return Starlette(
        routes=[
            Route("/3/device/{token}", sink.push, methods=["POST"]),
            Route("/pushes", sink.pushes, methods=["GET"]),
        ]
    )


class Sink:
    def __init__(self, file: Path, unregistered: set[str]) -> None:
        self.file = file
        self.unregistered = unregistered
        self.lock = threading.Lock()

    async def push(self, request: Request) -> Response:
        token = request.path_params["token"]
        apns_id = request.headers.get("apns-id") or str(uuid.uuid4())
        try:
            payload = _validated(token, request.headers, await request.body())
            if token.lower() in self.unregistered:
                raise Rejected(410, "Unregistered")
        except Rejected as rejected:
            return _rejection(rejected, apns_id)
        record = {
            "time": timeutil.now_text(),
            "token": token,
            "apns_id": apns_id,
            "headers": {name: request.headers.get(name) for name in HEADERS_OF_INTEREST},
            "payload": payload,
        }
        await anyio.to_thread.run_sync(self._append, json.dumps(record) + "\n")
        return Response(status_code=200, headers={"apns-id": apns_id})

    async def pushes(self, request: Request) -> Response:
        account_id = request.query_params.get("account_id")
        found = await anyio.to_thread.run_sync(read_pushes, self.file, account_id)
        return JSONResponse({"pushes": found})

    def _append(self, line: str) -> None:
        with self.lock:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with self.file.open("a") as out:
                out.write(line)


def read_pushes(path: Path | str, account_id: str | None = None) -> list[dict[str, Any]]:
    try:
        lines = Path(path).read_text().splitlines()
    except FileNotFoundError:
        return []
    records = [record for record in map(_decoded, lines) if record is not None]
    if account_id is None:
        return records
    return [r for r in records if _thread_of(r) == account_id]


def _decoded(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _thread_of(record: dict[str, Any]) -> Any:
    aps = (record.get("payload") or {}).get("aps") or {}
    return aps.get("thread-id")


def _validated(token: str, headers: Headers, body: bytes) -> dict[str, Any]:
    if not DEVICE_TOKEN.fullmatch(token):
        raise Rejected(400, "BadDeviceToken")
    _check_provider_token(headers.get("authorization"))
    if not headers.get("apns-topic"):
        raise Rejected(400, "MissingTopic")
    if len(body) > MAX_PAYLOAD_BYTES:
        raise Rejected(413, "PayloadTooLarge")
    return _payload(body)


def _check_provider_token(authorization: str | None) -> None:
    if not authorization:
        raise Rejected(403, "MissingProviderToken")
    scheme, _, token = authorization.partition(" ")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Rejected(403, "InvalidProviderToken") from None
    issued_at = claims.get("iat")
    well_formed = header.get("alg") == "ES256" and header.get("kid") and claims.get("iss")
    if scheme.lower() != "bearer" or not well_formed or not isinstance(issued_at, int):
        raise Rejected(403, "InvalidProviderToken")
    if time.time() - issued_at > TOKEN_LIFETIME_SECONDS:
        raise Rejected(403, "ExpiredProviderToken")


def _payload(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError:
        raise Rejected(400, "PayloadEmpty") from None
    aps = payload.get("aps") if isinstance(payload, dict) else None
    if not isinstance(aps, dict) or not aps.get("alert"):
        raise Rejected(400, "PayloadEmpty")
    return dict(payload)


def _rejection(rejected: Rejected, apns_id: str) -> Response:
    body: dict[str, Any] = {"reason": rejected.reason}
    if rejected.status == 410:
        body["timestamp"] = int(time.time() * 1000)
    return JSONResponse(body, status_code=rejected.status, headers={"apns-id": apns_id})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local APNs sink for smartbank.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--file", type=Path, required=True, help="JSON lines of accepted pushes")
    parser.add_argument("--unregistered", action="append", default=[], metavar="TOKEN")
    args = parser.parse_args(argv)
    app = create_app(args.file, args.unregistered)
    QuietServer(uvicorn.Config(app, host=args.host, port=args.port, log_level="warning")).run()


if __name__ == "__main__":
    main()
