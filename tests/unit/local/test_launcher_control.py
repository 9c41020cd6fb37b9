"""The command line and the supervisor talk through files in run/: a request gets exactly one
answer, a gone supervisor is noticed at once, and what the supervisor knows is published."""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartbank.local.cli import control as cli
from smartbank.local.launcher import control
from smartbank.local.launcher.control import ControlError
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.supervise import supervise
from tests.unit.local.supervision_kit import FakeStack


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return Layout(tmp_path)


@pytest.fixture
def stack() -> FakeStack:
    return FakeStack()


@pytest.fixture
def supervising(layout: Layout, stack: FakeStack) -> Iterator[list[str]]:
    """The supervisor's loop over the fake stack, in a thread; yields what it said."""
    said: list[str] = []
    done = threading.Event()
    loop = threading.Thread(
        target=supervise,
        args=(stack, layout, done.is_set),
        kwargs={"turn": 0.01, "say": said.append},
    )
    loop.start()
    yield said
    done.set()
    loop.join(5)


def ask(layout: Layout, command: str, service: str) -> dict[str, object]:
    return control.ask(layout, command, service, alive=lambda: True, timeout=5)


def test_a_request_is_carried_out_answered_and_its_result_published(
    layout: Layout, stack: FakeStack, supervising: list[str]
) -> None:
    assert ask(layout, "stop", "cards") == {"ok": True, "message": "stopped cards"}
    assert stack.calls == [("stop", "cards")]
    published = control.published(layout)
    assert published["cards"]["state"] == "stopped"
    assert published["balance"]["state"] == "running"
    assert supervising == ["cards stopped on request: it stays down until `smartbank start cards`"]
    assert ask(layout, "start", "cards") == {"ok": True, "message": "started cards (pid 1001)"}
    assert sorted(p.name for p in layout.control.iterdir()) == []  # nothing left behind


def test_a_refused_request_is_answered_with_the_reason(
    layout: Layout, supervising: list[str]
) -> None:
    answer = ask(layout, "stop", "nope")
    assert answer["ok"] is False
    assert str(answer["message"]).startswith("'nope' is not a service of this stack (balance")


def test_a_service_that_dies_under_the_loop_is_restarted_and_counted(
    layout: Layout, stack: FakeStack, supervising: list[str]
) -> None:
    stack.die("balance")
    for _ in range(200):
        if control.published(layout).get("balance", {}).get("restarts") == 1:
            break
        threading.Event().wait(0.01)
    balance = control.published(layout)["balance"]
    assert (balance["state"], balance["pid"]) == ("running", 1001)
    assert balance["last_exit"] == {"code": None, "signal": "SIGKILL"}


def test_ask_stops_waiting_as_soon_as_the_supervisor_is_gone(layout: Layout) -> None:
    with pytest.raises(ControlError, match="stop cards: the supervisor is gone"):
        control.ask(layout, "stop", "cards", alive=lambda: False)
    assert list(layout.control.iterdir()) == []  # the request is withdrawn


def test_ask_gives_up_after_its_timeout(layout: Layout) -> None:
    with pytest.raises(ControlError, match=r"no answer in 0\.2 s"):
        control.ask(layout, "start", "cards", alive=lambda: True, timeout=0.2)


def test_published_state_of_a_dead_supervisor_is_ignored(layout: Layout) -> None:
    control.publish(layout, {"cards": {"state": "running"}})
    assert control.published(layout) == {"cards": {"state": "running"}}
    document = layout.supervision.read_text().replace(str(os.getpid()), "999999999")
    layout.supervision.write_text(document)
    assert control.published(layout) == {}
    control.clear(layout)
    assert not layout.supervision.exists()


def test_a_malformed_request_is_taken_and_answered_as_unknown(layout: Layout) -> None:
    layout.control.mkdir(parents=True)
    (layout.control / "1-1.request").write_text("{not json")
    (request,) = control.take_requests(layout)
    assert (request.id, request.command, request.service) == ("1-1", "None", "None")
    assert list(layout.control.iterdir()) == []


def test_cli_unknown_service_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.run(argparse.Namespace(command="stop", service="balanse"))
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith("smartbank stop: no service 'balanse'; the services: api, auth,")


def test_cli_without_a_running_stack_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMARTBANK_HOME", str(tmp_path))
    assert cli.run(argparse.Namespace(command="start", service="cards", wait=0.0)) == 1
    assert f"no stack is running on {tmp_path}" in capsys.readouterr().err
