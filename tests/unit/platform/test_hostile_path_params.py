"""Hostile values in every path parameter of every service's routes, sent the way services call
each other (a path built by `smartbank.rpc.route`, in process through the whole onion of every
service). Each answer is a typed 4xx, or a 2xx from the very route it was meant for with the
value exactly as sent: never a 5xx, and never another route's answer."""

from __future__ import annotations

import importlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi.routing import APIRoute

from smartbank import context, errors
from smartbank.app import BuiltApp
from smartbank.errors import ServiceError
from smartbank.local.cli.seed import _seed
from smartbank.rpc import route
from smartbank.service import Service
from smartbank.testing import running_together

SERVICES: list[Service] = [
    importlib.import_module(f"{main.parent.name}.main").service
    for main in sorted((Path(__file__).parents[3] / "services").glob("*/main.py"))
]
HOSTILE = [
    "../x",
    "a/b",
    "x?y=1",
    "x#y",
    "%2e%2e",
    "%2F",
    "..",
    ".",
    "",
    "x" * 300,
    "å",
    "a b",
    "\\",
    "\x00",
    "\ud800",
    # each would be another route's path if a `/` went out as `%2F` (servers decode it first)
    "x1/balance",
    "x1/deliveries",
    "by-token/x1",
    "x1/status",
    "x1/holds/x1",
]
PARAM = re.compile(r"\{(\w+)\}")
CODE = re.compile(r"[a-z_]+\.[a-z0-9_.]+")


@dataclass(frozen=True)
class Target:
    service: str
    method: str
    template: str
    param: str

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.template} [{self.param}]"


TARGETS = [
    Target(service.name, method, api_route.path, param)
    for service in SERVICES
    for router in service.routers
    for api_route in router.routes
    if isinstance(api_route, APIRoute)
    for method in sorted(api_route.methods or ())
    for param in PARAM.findall(api_route.path)
]


@pytest_asyncio.fixture(scope="module")
async def bank() -> AsyncIterator[tuple[dict[str, BuiltApp], dict[str, str]]]:
    async with running_together(*SERVICES) as apps:
        with context.bound(context.fresh(10.0)):
            customer = await _seed(apps["api"].runtime.rpc, "Eve", 10_000, "GBP")
        yield apps, customer


def test_every_service_with_path_parameters_is_walked():
    walked = {target.service for target in TARGETS}
    assert {"api", "apns", "auth", "balance", "cards", "feed", "merchant"} <= walked
    assert {"transactions", "webhook"} <= walked


@pytest.mark.parametrize("target", TARGETS, ids=str)
async def test_hostile_path_parameter_is_typed_4xx_or_that_route_with_that_value(
    bank: tuple[dict[str, BuiltApp], dict[str, str]], target: Target
):
    apps, customer = bank
    wrong = [
        problem
        for value in HOSTILE
        if (problem := await probe(apps, customer, target, value)) is not None
    ]
    assert wrong == []


async def probe(
    apps: dict[str, BuiltApp], customer: dict[str, str], target: Target, value: str
) -> str | None:
    """What is wrong with the answer to `value` in `target.param`, or None when nothing is."""
    names = PARAM.findall(target.template)
    values = [value if name == target.param else benign(name, customer) for name in names]
    try:
        path = route(PARAM.sub("{}", target.template), *values)
    except ServiceError as refused:
        return None if refused.code == "not_found.path_segment" else f"{value!r}: {refused!r}"
    response, matched = await send(apps, customer, target, path)
    return judged(target, value, response, matched)


def judged(
    target: Target, value: str, response: httpx.Response, matched: tuple[str | None, Any]
) -> str | None:
    """None for a 2xx from the target route with the value as sent, or a typed 4xx from it or
    from no route at all; otherwise what was wrong."""
    (template, params), status = matched, response.status_code
    on_target = template == target.template and params.get(target.param) == value
    if 200 <= status < 300 and on_target:
        return None
    if 400 <= status < 500 and (on_target or template is None) and typed(response):
        return None
    return f"{value!r} answered {status} {response.text[:200]} from {template} {params}"


def typed(response: httpx.Response) -> bool:
    code = response.json().get("code", "")
    kind = code.split(".")[0]
    return bool(CODE.fullmatch(code)) and errors.STATUS_BY_KIND.get(kind) == response.status_code


async def send(
    apps: dict[str, BuiltApp], customer: dict[str, str], target: Target, path: str
) -> tuple[httpx.Response, tuple[str | None, Any]]:
    """The request as the in-process RPC sends it, noting which route answered and with what."""
    seen: dict[str, Any] = {}

    async def noting(scope: Any, receive: Any, send: Any) -> None:
        await apps[target.service].asgi(scope, receive, send)
        seen["template"] = getattr(scope.get("route"), "path", None)
        seen["params"] = scope.get("path_params") or {}

    headers = {"authorization": f"Bearer {customer['access_token']}"}
    query = {"user_id": customer["user_id"], "account_id": customer["account_id"]}
    body = body_for(target, customer)
    with context.bound(context.fresh(10.0)):
        headers.update(context.current().to_headers("test"))
        transport = httpx.ASGITransport(app=noting)
        async with httpx.AsyncClient(transport=transport, base_url="http://mesh") as client:
            response = await client.request(
                target.method, path, headers=headers, params=query, **body
            )
    return response, (seen.get("template"), seen.get("params", {}))


def body_for(target: Target, customer: dict[str, str]) -> dict[str, Any]:
    """One body with what any of these routes needs (models ignore the rest), so that the
    handler runs with the hostile value rather than stopping at a missing field."""
    if target.method in ("GET", "DELETE"):
        return {}
    account = customer["account_id"]
    fields: dict[str, Any] = {
        **{"hold_id": "hold_x", "release_id": "rel_x", "posting_id": "post_x"},
        **{"amount": 100, "currency": "GBP", "expires_at": "2030-01-01T00:00:00Z"},
        **{"description": "x", "name": "Pot", "status": "ACTIVE", "dedupe_id": "dd_x"},
        **{"source_account_id": account, "destination_account_id": account},
        **{"decline_reason": "OTHER", "merchant": "merch_x", "category": "general"},
    }
    if target.service == "api":
        return {"data": {k: str(v) for k, v in fields.items()} | {"metadata[k]": "v"}}
    return {"json": {**fields, "metadata": {"k": "v"}}}


def benign(name: str, customer: dict[str, str]) -> str:
    """A real id for the other parameters of a route, so the hostile one is what is tested."""
    known = {"account_id": "account_id", "card_id": "card_id", "user_id": "user_id"}
    return customer[known[name]] if name in known else "x1"
