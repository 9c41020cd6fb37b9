"""Typed errors, context and deadlines across a real HTTP hop (uvicorn on 127.0.0.1)."""

import time

import pytest

from smartbank import context
from smartbank.errors import ServiceError
from smartbank.rpc import RpcClient
from smartbank.settings import PlatformSettings


async def test_typed_error_is_rebuilt_by_the_client(probe_settings):
    client = RpcClient("tester", probe_settings)
    with pytest.raises(ServiceError) as raised:
        await client.call("probe", "GET", "/fail/bad_request.insufficient_funds")
    await client.close()
    assert raised.value.code == "bad_request.insufficient_funds"
    assert raised.value.status == 400
    assert raised.value.params == {"detail": "x"}


async def test_unexpected_exception_becomes_internal_service_without_internals(probe_settings):
    client = RpcClient("tester", probe_settings)
    with pytest.raises(ServiceError) as raised:
        await client.call("probe", "GET", "/crash")
    await client.close()
    assert raised.value.code == "internal_service.unexpected"
    assert "password" not in raised.value.message


async def test_context_travels_with_the_call(probe_settings):
    client = RpcClient("tester", probe_settings)
    ctx = context.CallContext("req-123", time.monotonic() + 1.5, principal="user_1")
    with context.bound(ctx):
        seen = await client.call("probe", "GET", "/context")
    await client.close()
    assert seen["request_id"] == "req-123"
    assert seen["principal"] == "user_1" and seen["caller"] == "tester"
    assert 1.0 < seen["remaining"] <= 1.5


async def test_call_times_out_at_the_deadline(probe_settings):
    client = RpcClient("tester", probe_settings)
    started = time.monotonic()
    with context.bound(context.fresh(budget=0.2)), pytest.raises(ServiceError) as raised:
        await client.call("probe", "GET", "/sleep/2")
    await client.close()
    assert raised.value.code == "timeout.deadline_exceeded"
    assert time.monotonic() - started < 0.5


async def test_call_with_no_budget_left_is_not_sent(probe_settings):
    client = RpcClient("tester", probe_settings)
    expired = context.CallContext("r", time.monotonic() - 0.01)
    with context.bound(expired), pytest.raises(ServiceError) as raised:
        await client.call("probe", "GET", "/context")
    await client.close()
    assert raised.value.code == "timeout.deadline_exceeded"


async def test_unreachable_service_is_unavailable():
    from smartbank.settings import PlatformSettings

    client = RpcClient("tester", PlatformSettings(mesh_url="http://127.0.0.1:9"))
    with pytest.raises(ServiceError) as raised:
        await client.call("probe", "GET", "/context")
    await client.close()
    assert raised.value.code == "unavailable.connect"


def test_direct_mode_can_address_each_service_by_name() -> None:
    settings = PlatformSettings(rpc_mode="direct", direct_host="{service}")
    url, headers = RpcClient("test", settings).url_for("card-processing", "/authorisations")
    assert (url, headers) == ("http://card-processing:8104/authorisations", {})
