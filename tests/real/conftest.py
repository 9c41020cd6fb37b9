"""Fixtures for the real parts; each part is started once per session (see plugin.py)."""

from __future__ import annotations

import pytest

from smartbank.local.real.jaeger import RunningJaeger
from smartbank.local.real.process import Running

from . import plugin


def pytest_configure(config: pytest.Config) -> None:
    """Without `-p tests.real.plugin` the parts start on first use; they stop all the same."""
    if not config.pluginmanager.has_plugin(plugin.__name__):
        config.pluginmanager.register(plugin, plugin.__name__)


@pytest.fixture(scope="session")
def kafka_broker() -> Running:
    running: Running = plugin.PARTS.get("kafka")
    return running


@pytest.fixture(scope="session")
def cassandra_node() -> Running:
    running: Running = plugin.PARTS.get("cassandra")
    return running


@pytest.fixture(scope="session")
def jaeger_collector() -> RunningJaeger:
    jaeger: RunningJaeger = plugin.PARTS.get("jaeger")
    return jaeger
