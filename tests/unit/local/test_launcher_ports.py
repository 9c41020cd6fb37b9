"""Every port the stack needs is checked before anything starts."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartbank.local.launcher import PortsInUse, Stack, StackPorts
from smartbank.local.launcher.ports import check_free, is_free, required
from smartbank.registry import SERVICES
from tests.unit.local.proc_kit import SKAFFOLD_DEV, SKAFFOLD_PID, fake_proc


@pytest.fixture
def listening() -> Iterator[int]:
    """A port something else is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_required_names_every_port_of_the_stack() -> None:
    needed = required(SERVICES)
    assert {8080, 8090, 15001, 9901, 9092, 4318} <= set(needed)
    assert {spec.port for spec in SERVICES} <= set(needed)
    assert needed[9092] == "the Kafka broker (Tansu)"
    assert needed[SERVICES[0].port] == f"the {SERVICES[0].name} service"


def test_required_without_envoy_leaves_out_the_proxy_ports() -> None:
    assert not {8080, 8090, 15001, 9901} & set(required([], with_envoy=False))


def test_check_free_with_a_taken_port_names_it_and_what_needs_it(listening: int) -> None:
    assert not is_free(listening)
    with pytest.raises(PortsInUse) as raised:
        check_free({listening: "the trace sink (OTLP/HTTP)"})
    assert raised.value.taken == {listening: "the trace sink (OTLP/HTTP)"}
    assert f"{listening}: needed by the trace sink (OTLP/HTTP)" in str(raised.value)


def test_start_with_a_taken_port_raises_and_starts_nothing(tmp_path: Path, listening: int) -> None:
    stack = Stack(tmp_path / "stack", services=[], ports=StackPorts(kafka=listening))
    with pytest.raises(PortsInUse, match=f"{listening}: needed by the Kafka broker"):
        stack.start()
    assert stack.status() == {}
    assert not (tmp_path / "stack").exists()  # not even the data dir


def test_check_free_names_skaffold_when_it_forwards_a_taken_port(tmp_path: Path) -> None:
    refusal = PortsInUse({8080: "Envoy's public API listener (→ api)", 9092: "Tansu"}, 4242)
    assert (
        "\nskaffold (pid 4242) is forwarding the cluster to 8080 (skaffold.yaml's portForward): "
        "stop it to run the local stack, or use the cluster\n"
    ) in str(refusal)
    assert "skaffold" not in str(PortsInUse({9092: "Tansu"}, 4242))
    assert "skaffold" not in str(PortsInUse({8080: "Envoy's public API listener (→ api)"}))


def test_check_free_looks_for_skaffold_when_a_port_is_taken(tmp_path: Path, listening: int) -> None:
    with_skaffold = fake_proc(tmp_path / "with", SKAFFOLD_DEV)
    with pytest.raises(PortsInUse) as raised:
        check_free({listening: "the trace sink (OTLP/HTTP)"}, proc=with_skaffold)
    assert raised.value.skaffold == SKAFFOLD_PID
    with pytest.raises(PortsInUse) as raised:
        check_free({listening: "the trace sink (OTLP/HTTP)"}, proc=fake_proc(tmp_path / "no", {}))
    assert raised.value.skaffold is None
