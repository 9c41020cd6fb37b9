"""Each service's environment in the local stack: the stack's wiring, local defaults that
yield to the caller's own settings, and the caller's `extra` over everything."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartbank.local.launcher import commands
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.ports import StackPorts
from smartbank.registry import spec

PRIVATE = "WEBHOOK_ALLOW_PRIVATE_ADDRESSES"


def environment(
    parent: dict[str, str], extra: dict[str, str] | None = None, service: str = "webhook"
) -> dict[str, str]:
    return commands.service_env(
        spec(service),
        layout=Layout(Path("/data")),
        ports=StackPorts(kafka=19092),
        rpc_mode="mesh",
        extra=extra or {},
        parent=parent,
    )


def test_webhooks_may_go_to_private_addresses_locally_by_default() -> None:
    assert environment({})[PRIVATE] == "true"
    assert environment({PRIVATE: ""})[PRIVATE] == "true"  # set but empty: not a choice


@pytest.mark.parametrize("chosen", ["false", "0", "true"])
def test_the_callers_own_webhook_setting_wins(chosen: str) -> None:
    assert environment({PRIVATE: chosen})[PRIVATE] == chosen


def test_extra_wins_over_the_callers_environment() -> None:
    assert environment({PRIVATE: "true"}, extra={PRIVATE: "false"})[PRIVATE] == "false"


def test_the_stacks_wiring_wins_over_the_callers_environment() -> None:
    env = environment({"PORT": "1", "KAFKA_BOOTSTRAP": "elsewhere:9092", "HOME": "/home/x"})
    assert env["PORT"] == str(spec("webhook").port)
    assert env["KAFKA_BOOTSTRAP"] == "127.0.0.1:19092"
    assert env["HOME"] == "/home/x"
    assert (env["SERVICE_NAME"], env["DATA_DIR"]) == ("webhook", "/data/db")
