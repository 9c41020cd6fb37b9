"""The supervisor restarts what exits (later each time, and not for ever), keeps what was
stopped on request down, and says what it did."""

from __future__ import annotations

import pytest

from smartbank.local.launcher.supervisor import CommandRefused, RestartPolicy, Supervisor
from tests.unit.local.supervision_kit import FakeClock, FakeStack

POLICY = RestartPolicy(first=0.5, longest=4.0, limit=3, window=60.0)


@pytest.fixture
def stack() -> FakeStack:
    return FakeStack()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def said() -> list[str]:
    return []


@pytest.fixture
def supervisor(stack: FakeStack, clock: FakeClock, said: list[str]) -> Supervisor:
    return Supervisor(stack, POLICY, clock=clock, say=said.append)


def restart_delay(supervisor: Supervisor, stack: FakeStack, clock: FakeClock) -> float | None:
    """Kill balance now; how long until the supervisor starts it again (None: never)."""
    stack.die("balance")
    starts, began = stack.starts("balance"), clock.now
    for step in range(200):
        clock.now = began + step * 0.05
        supervisor.tick()
        if stack.starts("balance") > starts:
            return round(clock.now - began, 2)
    return None


def test_policy_delay_doubles_up_to_the_longest_then_gives_up_at_the_limit() -> None:
    policy = RestartPolicy(first=0.5, longest=4.0, limit=6)
    assert [policy.delay(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, None]


def test_service_that_exits_is_restarted_after_the_first_delay(
    supervisor: Supervisor, stack: FakeStack, clock: FakeClock, said: list[str]
) -> None:
    stack.die("balance")
    assert supervisor.tick() is True
    assert supervisor.snapshot()["balance"]["state"] == "restarting"
    clock.now = 0.45
    supervisor.tick()
    assert stack.starts("balance") == 0
    clock.now = 0.5
    supervisor.tick()
    assert stack.calls == [("start", "balance")]
    assert supervisor.snapshot()["balance"] == {
        "kind": "service",
        "state": "running",
        "restarts": 1,
        "last_exit": {"code": None, "signal": "SIGKILL"},
        "pid": 1001,
    }
    assert said == ["balance was killed by SIGKILL; restarting it in 0.5 s",
                    "balance restarted (restart 1, pid 1001)"]  # fmt: skip


def test_each_restart_within_the_window_waits_twice_as_long(
    supervisor: Supervisor, stack: FakeStack, clock: FakeClock
) -> None:
    delays = [restart_delay(supervisor, stack, clock) for _ in range(3)]
    assert delays == [0.5, 1.0, 2.0]


def test_too_many_restarts_within_the_window_leave_the_service_failed(
    supervisor: Supervisor, stack: FakeStack, clock: FakeClock, said: list[str]
) -> None:
    for _ in range(3):
        restart_delay(supervisor, stack, clock)
    stack.die("balance", exit_code=3)
    supervisor.tick()
    clock.now += 3600
    supervisor.tick()
    assert stack.starts("balance") == 3
    state = supervisor.snapshot()["balance"]
    assert (state["state"], state["restarts"], state["last_exit"]) == (
        "failed",
        3,
        {"code": 3, "signal": None},
    )
    assert said[-1] == (
        "balance exited with code 3; 3 restarts within 60 s, giving up on it "
        "(`smartbank start balance` tries again)"
    )


def test_restarts_further_apart_than_the_window_never_fail(
    supervisor: Supervisor, stack: FakeStack, clock: FakeClock
) -> None:
    for _ in range(6):
        assert restart_delay(supervisor, stack, clock) == 0.5
        clock.now += 61
    assert supervisor.snapshot()["balance"]["restarts"] == 6


def test_a_stopped_service_stays_down_until_started(
    supervisor: Supervisor, stack: FakeStack, clock: FakeClock
) -> None:
    assert supervisor.handle("stop", "cards") == "stopped cards"
    for _ in range(10):
        clock.now += 30
        supervisor.tick()
    assert stack.calls == [("stop", "cards")]
    assert supervisor.snapshot()["cards"]["state"] == "stopped"
    assert supervisor.snapshot()["cards"]["pid"] is None
    assert supervisor.handle("stop", "cards") == "cards was already stopped"
    assert supervisor.handle("start", "cards") == "started cards (pid 1001)"
    assert supervisor.snapshot()["cards"]["state"] == "running"
    assert supervisor.snapshot()["cards"]["restarts"] == 0  # only restarts after an exit count


def test_start_gives_a_failed_service_a_fresh_limit(
    supervisor: Supervisor, stack: FakeStack, clock: FakeClock
) -> None:
    for _ in range(3):
        restart_delay(supervisor, stack, clock)
    assert restart_delay(supervisor, stack, clock) is None
    supervisor.handle("start", "balance")
    assert supervisor.snapshot()["balance"]["state"] == "running"
    assert restart_delay(supervisor, stack, clock) == 0.5


def test_restart_stops_then_starts_a_running_service(
    supervisor: Supervisor, stack: FakeStack
) -> None:
    assert supervisor.handle("restart", "cards") == "started cards (pid 1001)"
    assert stack.calls == [("stop", "cards"), ("start", "cards")]
    assert supervisor.handle("start", "cards") == "cards is already running (pid 1001)"


def test_unknown_names_and_infrastructure_are_refused(supervisor: Supervisor) -> None:
    with pytest.raises(CommandRefused, match="'nope' is not a service of this stack"):
        supervisor.handle("stop", "nope")
    with pytest.raises(CommandRefused, match="'kafka' is not a service"):
        supervisor.handle("stop", "kafka")
    with pytest.raises(CommandRefused, match="no command 'pause'"):
        supervisor.handle("pause", "cards")


def test_infrastructure_that_exits_is_reported_failed_and_not_restarted(
    supervisor: Supervisor, stack: FakeStack, clock: FakeClock, said: list[str]
) -> None:
    stack.die("kafka", exit_code=1)
    supervisor.tick()
    clock.now += 60
    supervisor.tick()
    assert stack.calls == []
    assert supervisor.snapshot()["kafka"]["state"] == "failed"
    assert said == ["kafka exited with code 1; it is not restarted (`smartbank down`, then "
                    "`smartbank up`)"]  # fmt: skip


@pytest.mark.parametrize("name, kind", [("cassandra", "storage"), ("jaeger", "telemetry")])
def test_a_real_part_that_exits_is_failed_and_refused_like_the_broker(
    name: str, kind: str, clock: FakeClock, said: list[str]
) -> None:
    stack = FakeStack()
    stack.processes[name] = {"kind": kind, "pid": 20, "running": True, "exit_code": None}
    supervisor = Supervisor(stack, clock=clock, say=said.append)
    stack.die(name, exit_code=-9)
    supervisor.tick()
    clock.now += 60
    supervisor.tick()
    assert stack.calls == [] and supervisor.snapshot()[name]["state"] == "failed"
    assert said == [f"{name} was killed by SIGKILL; it is not restarted (`smartbank down`, then "
                    "`smartbank up`)"]  # fmt: skip
    with pytest.raises(CommandRefused, match=f"'{name}' is not a service"):
        supervisor.handle("restart", name)
