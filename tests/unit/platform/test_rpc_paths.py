"""`smartbank.rpc.route`, and the RPC client sending the path exactly as built, across a real
hop (aiohttp → uvicorn → Starlette on 127.0.0.1) to a route that echoes what it received."""

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI, Request

from smartbank.errors import ServiceError
from smartbank.rpc import RpcClient, route
from smartbank.settings import PlatformSettings

echo = FastAPI()


@echo.get("/echo/{value}")
async def echo_value(value: str, request: Request) -> dict[str, Any]:
    return {"route": "echo", "value": value, "raw": request.scope["raw_path"].decode()}


@echo.get("/{rest:path}")
async def anything_else(rest: str, request: Request) -> dict[str, Any]:
    return {"route": "anything", "value": rest, "raw": request.scope["raw_path"].decode()}


@pytest_asyncio.fixture
async def client() -> AsyncIterator[RpcClient]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(echo, host="127.0.0.1", port=port, log_config=None)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    rpc = RpcClient("tester", PlatformSettings(mesh_url=f"http://127.0.0.1:{port}"))
    yield rpc
    await rpc.close()
    server.should_exit = True
    await task


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("ctok_A-z09", "ctok_A-z09"),
        ("x?y=1", "x%3Fy%3D1"),
        ("x#y", "x%23y"),
        ("%2e%2e", "%252e%252e"),
        ("a b", "a%20b"),
        ("å", "%C3%A5"),
        ("...", "..."),
        ("a\\b", "a%5Cb"),
    ],
)
def test_route_encodes_each_segment_whole(value: str, encoded: str):
    assert route("/cards/{}/status", value) == f"/cards/{encoded}/status"
    assert route("/a/{}/b/{}", value, "x") == f"/a/{encoded}/b/x"


@pytest.mark.parametrize("value", ["", ".", "..", "a/b", "/", "../x", "x/..", "\ud800"])
def test_route_refuses_a_value_that_cannot_be_one_segment(value: str):
    with pytest.raises(ServiceError) as refused:
        route("/cards/by-token/{}", value)
    assert (refused.value.code, refused.value.status) == ("not_found.path_segment", 404)


def test_route_with_the_wrong_number_of_segments_is_a_bug():
    with pytest.raises(ValueError):
        route("/accounts/{}/holds/{}", "acc_1")


@pytest.mark.parametrize(
    "value", ["x?y=1", "x#y", "%2e%2e", "%2F", "a b", "å", "...", "x" * 300, "ctok_a-_"]
)
async def test_value_arrives_as_its_one_literal_segment(client: RpcClient, value: str):
    sent = route("/echo/{}", value)
    seen = await client.call("probe", "GET", sent)
    assert seen == {"route": "echo", "value": value, "raw": sent}


@pytest.mark.parametrize("path", ["/echo/%2e%2e", "/echo/%2E", "/echo/a%3Fb", "/x/./y/../z"])
async def test_client_sends_the_path_exactly_as_built(client: RpcClient, path: str):
    assert (await client.call("probe", "GET", path))["raw"] == path


async def test_server_decodes_an_encoded_slash_before_routing(client: RpcClient):
    """Why `route` refuses a `/` rather than sending it as `%2F`: it would reach another route."""
    seen = await client.call("probe", "GET", "/echo/a%2Fb")
    assert (seen["route"], seen["value"]) == ("anything", "echo/a/b")
