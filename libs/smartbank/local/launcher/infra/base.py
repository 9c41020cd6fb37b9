"""What every infrastructure shares: its interface, what it needs of the stack, and the parts
that run on either (the push sink and Envoy)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from smartbank.deploy.envoy import bootstrap as envoy
from smartbank.local.launcher import commands, health
from smartbank.local.launcher.health import Component
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.ports import StackPorts

EMBEDDED, REAL = "embedded", "real"
INFRAS = (EMBEDDED, REAL)
INFRA_TIMEOUT = 30.0
# The broker and the sinks run this much nicer than the card path, so a burst of swipes is
# answered first and the pipeline catches up afterwards.
BACKGROUND_NICE = 10


class Spawner(Protocol):
    """What an infrastructure needs of the stack that starts it."""

    layout: Layout
    ports: StackPorts
    timings: dict[str, float]  # seconds each step took, by name, for `smartbank up` to show

    def spawn_part(
        self,
        name: str,
        kind: str,
        argv: list[str],
        env: Mapping[str, str],
        component: Component,
        nice: int = 0,
    ) -> None: ...

    def await_ready(
        self, name: str, timeout: float, check: Callable[[], bool] | None = None
    ) -> None: ...


class Infra(Protocol):
    name: str

    def check(self) -> None:
        """Raise, saying what to install or run, when something this needs is missing."""

    def components(self, ports: StackPorts) -> list[Component]: ...

    def service_env(self, ports: StackPorts) -> dict[str, str]: ...

    def start(self, stack: Spawner) -> None: ...


def start_shared(stack: Spawner, envoy_bin: Path | None, trace_sampling: float) -> None:
    """The push sink, then Envoy (unless `envoy_bin` is None), each awaited; Envoy's spans go
    to the trace sink's port, where Jaeger listens in its place on the real infrastructure."""
    layout, ports = stack.layout, stack.ports
    argv, env = commands.push_sink_argv(layout, ports), commands.python_env()
    stack.spawn_part("push-sink", "telemetry", argv, env, health.push_sink(ports), BACKGROUND_NICE)
    stack.await_ready("push-sink", INFRA_TIMEOUT)
    if envoy_bin is None:
        return
    envoy.write(layout.envoy_config, commands.envoy_config(ports, trace_sampling))
    argv = commands.envoy_argv(envoy_bin, layout)
    stack.spawn_part("envoy", "proxy", argv, env, health.envoy(ports))
    stack.await_ready("envoy", INFRA_TIMEOUT)
