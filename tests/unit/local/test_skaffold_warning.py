"""A command that reaches the local stack while skaffold forwards a cluster says so on stderr,
then runs; with only one of the two up it says nothing. Fake /proc, a live stand-in supervisor."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartbank.local.cli import skaffold_warning, up
from smartbank.local.cli.main import build_parser, main
from smartbank.local.launcher import infra
from smartbank.local.launcher.layout import Layout
from tests.unit.local.proc_kit import SKAFFOLD_DEV, SKAFFOLD_PID, fake_proc

WARNING = f"warning: skaffold (pid {SKAFFOLD_PID}) is forwarding the cluster, but"


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    monkeypatch.setenv("SMARTBANK_HOME", str(tmp_path / "home"))
    return Layout(tmp_path / "home")


@pytest.fixture
def stack_up(layout: Layout) -> Iterator[None]:
    """A stack running on the data dir: its supervisor's pid file names a live process."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    layout.run.mkdir(parents=True)
    layout.supervisor_pid.write_text(f"{sleeper.pid}\n")
    yield
    sleeper.kill()
    sleeper.wait()


@pytest.fixture
def skaffold(tmp_path: Path) -> Path:
    return fake_proc(tmp_path / "proc", {1: ["/sbin/init"], **SKAFFOLD_DEV})


@pytest.fixture
def no_skaffold(tmp_path: Path) -> Path:
    return fake_proc(tmp_path / "proc", {1: ["/sbin/init"], 300: ["skaffold", "build"]})


def test_a_command_with_the_stack_and_skaffold_up_warns_on_stderr_then_runs(
    layout: Layout, stack_up: None, skaffold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pushes"], proc=skaffold) == 0
    out, err = capsys.readouterr()
    assert err.startswith(f"{WARNING} this command reaches the local stack (make run)")
    assert '"Port forwarding service/edge" lines' in err
    assert err.count("\n") == 1
    assert out == f"no pushes in {layout.pushes}\n"


def test_a_command_with_only_the_stack_up_does_not_warn(
    layout: Layout, stack_up: None, no_skaffold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pushes"], proc=no_skaffold) == 0
    assert capsys.readouterr().err == ""


def test_a_command_with_only_skaffold_up_does_not_warn(
    layout: Layout, skaffold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pushes"], proc=skaffold) == 0
    assert capsys.readouterr().err == ""


def test_a_command_after_the_stack_stopped_does_not_warn(
    layout: Layout, skaffold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    layout.run.mkdir(parents=True)
    layout.supervisor_pid.write_text(f"{gone.pid}\n")  # left behind by a killed stack
    assert skaffold_warning.warning(layout, proc=skaffold) is None


def test_swipe_to_the_local_card_network_names_it_and_suggests_url(
    layout: Layout, stack_up: None, skaffold: Path
) -> None:
    warning = skaffold_warning.warning(layout, "http://127.0.0.1:8090", skaffold)
    assert warning == (
        f"{WARNING} 127.0.0.1:8090 is the local stack's (make run): skaffold forwarded the "
        'cluster\'s edge to other ports (see its "Port forwarding service/edge" lines); '
        "pass --url to reach it, or stop make run"
    )


def test_swipe_with_a_url_elsewhere_does_not_warn(
    layout: Layout, stack_up: None, skaffold: Path
) -> None:
    assert skaffold_warning.warning(layout, "http://127.0.0.1:8091", skaffold) is None
    assert skaffold_warning.warning(layout, "http://127.0.0.1:notaport", skaffold) is None
    assert skaffold_warning.warning(layout, "http://127.0.0.1:8090", skaffold) is not None


def test_swipe_gives_its_url_to_the_check(
    layout: Layout, stack_up: None, skaffold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    swipe = ["swipe", "--card", "tok", "--amount", "1", "--merchant", "M"]
    skaffold_warning.warn(
        build_parser().parse_args([*swipe, "--url", "http://127.0.0.1:8091"]), skaffold
    )
    assert capsys.readouterr().err == ""
    skaffold_warning.warn(build_parser().parse_args(swipe), skaffold)
    assert capsys.readouterr().err.startswith(f"{WARNING} 127.0.0.1:8090 is the local stack's")


def test_up_while_skaffold_forwards_warns_before_anything_else(
    layout: Layout,
    skaffold: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SMARTBANK_CACHE", str(tmp_path / "cache"))  # no real parts: it stops
    assert up.run(argparse.Namespace(detach=False, infra=infra.REAL), proc=skaffold) == 1
    warning, *refusal = capsys.readouterr().err.splitlines()
    assert warning == skaffold_warning.starting(SKAFFOLD_PID)
    assert "the smartbank commands reach this local stack, not the cluster" in warning
    assert refusal[0].startswith("smartbank up: --infra real needs")


def test_up_without_skaffold_does_not_warn(
    layout: Layout,
    no_skaffold: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SMARTBANK_CACHE", str(tmp_path / "cache"))
    assert up.run(argparse.Namespace(detach=False, infra=infra.REAL), proc=no_skaffold) == 1
    assert capsys.readouterr().err.startswith("smartbank up: --infra real needs")
