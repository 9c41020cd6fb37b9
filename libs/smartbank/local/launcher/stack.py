"""The local stack: Kafka broker, trace sink, Envoy and the services, as child processes.

Beneath the services runs one of two infrastructures (`infra`): embedded, Tansu and the trace
sink with SQLite in each service; or real, Apache Kafka, Apache Cassandra and Jaeger.

`smartbank up` runs one in the foreground; end-to-end tests use one as a session fixture:

    with Stack(tmp_path, env={"HOLD_EXPIRY": "2s"}) as stack:
        stack.wait_ready(60)
        stack.stop_service("merchant")   # the card path must not care
        ...

Start order follows dependencies: the infrastructure, the push sink and Envoy each start and
become ready in turn, then every service starts at once. Stop goes the other way round in
tiers: services, then Envoy, then the rest; each tier gets its grace period before the parts it
flushes to go away (a service's last spans and events, Envoy's last spans).
Create, start and stop a stack from one thread (see `processes` on PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from smartbank.local.launcher import commands, health
from smartbank.local.launcher import infra as _infra
from smartbank.local.launcher.binaries import find_envoy
from smartbank.local.launcher.health import Component
from smartbank.local.launcher.infra import BACKGROUND_NICE
from smartbank.local.launcher.infra.real import SchemaFailed
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.ports import StackPorts, check_free, required
from smartbank.local.launcher.processes import Process, stop_all
from smartbank.local.real.process import PartFailed
from smartbank.registry import SERVICES, spec

GRACE = 10.0
RPC_MODES = ("mesh", "direct")


class StackError(RuntimeError):
    """A process of the stack failed to start or to become ready; the message says which."""


class Stack:
    def __init__(
        self,
        data_dir: Path,
        rpc_mode: str = "mesh",
        env: Mapping[str, str] | None = None,
        services: Sequence[str] | None = None,
        with_envoy: bool = True,
        *,
        ports: StackPorts = StackPorts(),
        sink_module: str = commands.SINK_MODULE,
        serve_module: str = commands.SERVE_MODULE,
        grace: float = GRACE,
        infra: str | _infra.Infra = _infra.EMBEDDED,
    ) -> None:
        if rpc_mode not in RPC_MODES:
            raise ValueError(f"rpc_mode must be one of {RPC_MODES}, not {rpc_mode!r}")
        self.layout = Layout(Path(data_dir).resolve())
        self.rpc_mode = rpc_mode
        self.env = dict(env or {})
        self.specs = SERVICES if services is None else tuple(spec(name) for name in services)
        self.with_envoy = with_envoy
        self.ports = ports
        self.infra = _infra.choose(infra, sink_module) if isinstance(infra, str) else infra
        self.serve_module = serve_module
        self.grace = grace
        self.timings: dict[str, float] = {}  # seconds from spawn to ready, per process
        self._processes: dict[str, Process] = {}
        self._components: dict[str, Component] = {}
        self._stopped_services: set[str] = set()
        self._lock = threading.RLock()

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Check binaries and ports, then start everything; services are started, not awaited.

        Nothing is started if a binary is missing or a port is taken. If anything fails on the
        way, whatever did start is stopped again before the error is raised.
        """
        with self._lock:
            if any(process.running for process in self._processes.values()):
                raise StackError("this stack is already running")
            for known in (self._processes, self._components, self._stopped_services, self.timings):
                known.clear()
            self.infra.check()
            envoy_bin = find_envoy() if self.with_envoy else None
            needed = required(
                self.specs, ports=self.ports, with_envoy=self.with_envoy, infra=self.infra.name
            )
            check_free(needed)
            self.layout.create()
            _infra.record(self.layout, self.infra, self.ports)
            atexit.register(self.stop)
            try:
                self._start_infrastructure(envoy_bin)
                for service_spec in self.specs:
                    self._spawn(
                        self._service_process(service_spec.name), health.service(service_spec)
                    )
            except BaseException:
                self.stop()
                raise

    def wait_ready(self, timeout: float) -> None:
        """Return once every running component is ready; raise `StackError` (with the log tail
        of the culprit) if one exits or `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        pending = {n: c for n, c in self._components.items() if n not in self._stopped_services}
        while pending:
            for name in pending:
                self._raise_if_exited(name)
            for result in health.probe_all(list(pending.values()), timeout=0.5):
                name = result.component.name
                if result.ready:
                    del pending[name]
                    started = self._processes[name].started_at
                    self.timings.setdefault(name, time.monotonic() - started)
            if pending and time.monotonic() >= deadline:
                raise StackError(self._not_ready_report(pending, timeout))
            if pending:
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop services (SIGTERM, then SIGKILL after the grace period), then Envoy, then the
        sinks, the broker and the rest. Idempotent; also runs at interpreter exit."""
        with self._lock:
            processes = list(reversed(self._processes.values()))
            stop_all([p for p in processes if p.kind == "service"], self.grace)
            stop_all([p for p in processes if p.kind == "proxy"], self.grace)
            stop_all([p for p in processes if p.kind not in ("service", "proxy")], self.grace)
            if self._processes:
                _infra.forget(self.layout)
            atexit.unregister(self.stop)

    def stop_service(self, name: str) -> None:
        """Stop one service (gracefully) and leave it stopped until `start_service`."""
        with self._lock:
            process = self._service(name)
            stop_all([process], self.grace)
            self._stopped_services.add(name)

    def start_service(self, name: str) -> None:
        """Start a stopped service again (its log is appended to); `wait_ready` awaits it."""
        with self._lock:
            process = self._service(name)
            if process.running:
                return
            self.timings.pop(name, None)
            process.spawn(fresh_log=False)
            self._stopped_services.discard(name)

    def kill(self, name: str) -> None:
        """SIGKILL one process of the stack, a service or a part, as a crash would."""
        with self._lock:
            self._known(name).sweep()

    def revive(self, name: str, timeout: float) -> None:
        """Start a killed process again with the same command (its log appended to, its data
        kept) and wait until it answers, as a supervisor or a pod's restart would."""
        with self._lock:
            self._known(name).spawn(fresh_log=False)
        self.await_ready(name, timeout)

    def status(self) -> dict[str, dict[str, Any]]:
        """Each process: kind, pid, whether it runs, its exit code once gone, its log."""
        return {
            name: {
                "kind": process.kind,
                "pid": process.pid,
                "running": process.running,
                "exit_code": process.exit_code,
                "stopped_on_purpose": name in self._stopped_services,
                "url": self._components[name].url,
                "log": str(process.log_path),
                "ready_after_s": self.timings.get(name),
            }
            for name, process in self._processes.items()
        }

    def _start_infrastructure(self, envoy_bin: Path | None) -> None:
        sampling = float(self.env.get("TRACE_SAMPLING", os.environ.get("TRACE_SAMPLING", 1)))
        try:
            self.infra.start(self)
            _infra.start_shared(self, envoy_bin, sampling)
        except (PartFailed, SchemaFailed) as error:
            raise StackError(str(error)) from error

    def spawn_part(
        self,
        name: str,
        kind: str,
        argv: list[str],
        env: Mapping[str, str],
        component: Component,
        nice: int = 0,
    ) -> None:
        """Start one part of the infrastructure (`infra.Spawner`); `await_ready` awaits it."""
        self._spawn(self._process(name, kind, argv, env, nice), component)

    def _process(
        self, name: str, kind: str, argv: list[str], env: Mapping[str, str], nice: int = 0
    ) -> Process:
        log, pid = self.layout.log(name), self.layout.pid(name)
        return Process(name, kind, argv, env, log, pid, nice=nice)

    def _service_process(self, name: str) -> Process:
        extra = {**self.infra.service_env(self.ports), **self.env}
        env = commands.service_env(
            spec(name), layout=self.layout, ports=self.ports, rpc_mode=self.rpc_mode, extra=extra
        )
        argv = commands.service_argv(spec(name), self.serve_module)
        return self._process(name, "service", argv, env, BACKGROUND_NICE * spec(name).background)

    def _spawn(self, process: Process, component: Component) -> None:
        self._processes[process.name] = process
        self._components[process.name] = component
        process.spawn(fresh_log=True)

    def await_ready(
        self, name: str, timeout: float, check: Callable[[], bool] | None = None
    ) -> None:
        """Wait for one started process to answer its probe (and `check`, when given, a deeper
        question such as "is there a controller"), or raise `StackError`."""
        deadline = time.monotonic() + timeout
        component = self._components[name]
        while True:
            self._raise_if_exited(name)
            result = health.probe(component, timeout=0.5)
            if result.ready and (check is None or check()):
                self.timings[name] = time.monotonic() - self._processes[name].started_at
                return
            if time.monotonic() >= deadline:
                raise StackError(self._not_ready_report({name: component}, timeout))
            time.sleep(0.02)

    def _raise_if_exited(self, name: str) -> None:
        process = self._processes[name]
        if process.exit_code is not None:
            raise StackError(
                f"{name} exited with code {process.exit_code} while starting; "
                f"last lines of {process.log_path}:\n{process.log_tail()}"
            )

    def _not_ready_report(self, pending: Mapping[str, Component], timeout: float) -> str:
        lines = [f"not ready after {timeout:g} s:"]
        for result in health.probe_all(list(pending.values()), timeout=0.5):
            process = self._processes[result.component.name]
            lines.append(f"  {result.component.name} ({result.component.url}): {result.detail}")
            lines.extend(f"    | {line}" for line in process.log_tail(10).splitlines())
        return "\n".join(lines)

    def _known(self, name: str) -> Process:
        if name not in self._processes:
            raise StackError(f"{name!r} is not part of this stack ({', '.join(self._processes)})")
        return self._processes[name]

    def _service(self, name: str) -> Process:
        process = self._processes.get(name)
        if process is None or process.kind != "service":
            raise StackError(
                f"{name!r} is not a service of this stack (started: {', '.join(self._processes)})"
            )
        return process
