"""`--infra embedded`, the default: Tansu in memory and the local trace sink, Python alone."""

from __future__ import annotations

import asyncio

from smartbank.events.topics import ensure_topics
from smartbank.local.launcher import commands, health
from smartbank.local.launcher.binaries import find_tansu
from smartbank.local.launcher.health import Component
from smartbank.local.launcher.infra.base import BACKGROUND_NICE, EMBEDDED, INFRA_TIMEOUT, Spawner
from smartbank.local.launcher.ports import HOST, StackPorts
from smartbank.registry import topics

# One partition a topic: the local stack runs one consumer per group, so more partitions only
# make every fetch (each names every partition it owns) bigger for aiokafka and for Tansu.
TOPIC_PARTITIONS = 1


class Embedded:
    """Tansu in memory, the local trace sink; the services keep SQLite files (their default)."""

    name = EMBEDDED

    def __init__(self, sink_module: str = commands.SINK_MODULE) -> None:
        self.sink_module = sink_module

    def check(self) -> None:
        find_tansu()

    def components(self, ports: StackPorts) -> list[Component]:
        return [health.broker(ports), health.trace_sink(ports)]

    def service_env(self, ports: StackPorts) -> dict[str, str]:
        return {}

    def start(self, stack: Spawner) -> None:
        ports, layout = stack.ports, stack.layout
        broker, sink = self.components(ports)
        argv = commands.broker_argv(find_tansu(), ports)
        stack.spawn_part("kafka", "broker", argv, commands.broker_env(), broker, BACKGROUND_NICE)
        stack.await_ready("kafka", INFRA_TIMEOUT)
        asyncio.run(ensure_topics(f"{HOST}:{ports.kafka}", topics(), partitions=TOPIC_PARTITIONS))
        argv = commands.sink_argv(layout, ports, self.sink_module)
        stack.spawn_part(
            "trace-sink", "telemetry", argv, commands.python_env(), sink, BACKGROUND_NICE
        )
        stack.await_ready("trace-sink", INFRA_TIMEOUT)
