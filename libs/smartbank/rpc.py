"""The RPC client: call another service by name, the way the server expects to be called.

It mirrors the server's onion: the remaining deadline budget, the request id, the principal
and the trace context go out as headers, and a typed error that comes back is raised as the
same `ServiceError`. Calls go through the proxy's mesh listener (Envoy owns retries, load
balancing and outlier ejection), so this client never retries by itself; it only tells the
proxy which calls are safe to retry.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx
import orjson
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.trace import TracerProvider

from smartbank import context, errors
from smartbank.errors import ServiceError
from smartbank.registry import spec
from smartbank.settings import PlatformSettings

IDEMPOTENT = "x-smartbank-idempotent"
ENVOY_TIMEOUT = "x-envoy-upstream-rq-timeout-ms"


class Rpc(Protocol):
    """What services depend on: the real client and the testing fake both satisfy it."""

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool = False,
    ) -> Any: ...


class RpcClient:
    def __init__(
        self,
        caller: str,
        settings: PlatformSettings,
        tracer_provider: TracerProvider | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.caller = caller
        self.settings = settings
        limits = httpx.Limits(max_connections=512, max_keepalive_connections=128)
        self.http = httpx.AsyncClient(limits=limits, transport=transport, trust_env=False)
        if tracer_provider is not None:
            HTTPXClientInstrumentor.instrument_client(self.http, tracer_provider=tracer_provider)

    def url_for(self, service: str, path: str) -> tuple[str, dict[str, str]]:
        """Where to send a call: the mesh listener with the service as Host, or direct."""
        if self.settings.rpc_mode == "direct":
            return f"http://{self.settings.direct_host}:{spec(service).port}{path}", {}
        return f"{self.settings.mesh_url}{path}", {"host": service}

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool = False,
    ) -> Any:
        ctx = context.current()
        remaining = ctx.remaining()
        if remaining <= 0:
            raise errors.timeout("deadline_exceeded", f"no time left to call {service}")
        url, headers = self.url_for(service, path)
        headers.update(ctx.to_headers(self.caller))
        headers[ENVOY_TIMEOUT] = str(max(1, int(remaining * 1000)))
        headers["content-type"] = "application/json"
        if idempotent:
            headers[IDEMPOTENT] = "true"
        content = orjson.dumps(json) if json is not None else None
        try:
            response = await self.http.request(
                method, url, content=content, params=params, headers=headers, timeout=remaining
            )
        except httpx.TimeoutException:
            raise errors.timeout("deadline_exceeded", f"{service} did not answer in time") from None
        except httpx.TransportError as exc:
            raise errors.unavailable("connect", f"could not reach {service}: {exc}") from None
        return decode(service, response)

    async def close(self) -> None:
        await self.http.aclose()


def decode(service: str, response: httpx.Response) -> Any:
    """The JSON body of a success, or the typed error a failure carries."""
    try:
        body = orjson.loads(response.content) if response.content else {}
    except orjson.JSONDecodeError:
        body = None
    if response.is_success:
        if body is None:
            raise errors.bad_gateway("invalid_response", f"{service} answered with non-JSON")
        return body
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        raise ServiceError.from_dict(body, response.status_code)
    raise _proxy_error(service, response)


def _proxy_error(service: str, response: httpx.Response) -> ServiceError:
    """Envoy answers with plain text when it cannot get a response from the service."""
    text = response.text[:200]
    if response.status_code == 504:
        return errors.timeout("upstream", f"{service} did not answer in time ({text})")
    if response.status_code in (502, 503):
        return errors.unavailable("upstream", f"{service} is unavailable ({text})")
    kind = errors.KIND_BY_STATUS.get(response.status_code, "internal_service")
    return ServiceError(kind, f"{service} answered {response.status_code}: {text}")
