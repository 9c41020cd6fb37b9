"""skaffold forwarding a cluster to this machine is found in the processes' command lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartbank.local.launcher.forwarding import skaffold_forwarding
from tests.unit.local.proc_kit import SKAFFOLD_DEV, SKAFFOLD_PID, fake_proc

OTHERS = {
    100: ["/usr/bin/python3", "-m", "smartbank.local.cli.main", "up"],
    101: ["vim", "skaffold.yaml"],
    102: ["kubectl", "port-forward", "service/edge", "8080"],
}


@pytest.mark.parametrize("command", ["dev", "run", "debug", "port-forward"])
def test_skaffold_forwarding_finds_skaffold_running_a_command_that_forwards(
    tmp_path: Path, command: str
) -> None:
    proc = fake_proc(tmp_path, {**OTHERS, 7: ["skaffold", command]})
    assert skaffold_forwarding(proc) == 7


def test_skaffold_forwarding_looks_past_flags_to_the_command(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, {**OTHERS, **{SKAFFOLD_PID: ["skaffold", "-p=prod", "dev"]}})
    assert skaffold_forwarding(proc) == SKAFFOLD_PID


def test_skaffold_forwarding_gives_the_lowest_pid_of_several(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, {**SKAFFOLD_DEV, 10: ["skaffold", "port-forward"]})
    assert skaffold_forwarding(proc) == 10


@pytest.mark.parametrize(
    "argv",
    [["skaffold", "build"], ["skaffold", "version"], ["skaffold"], ["skaffold", "--help"]],
)
def test_skaffold_forwarding_ignores_skaffold_commands_that_forward_nothing(
    tmp_path: Path, argv: list[str]
) -> None:
    assert skaffold_forwarding(fake_proc(tmp_path, {**OTHERS, SKAFFOLD_PID: argv})) is None


def test_skaffold_forwarding_finds_nothing_among_other_programs(tmp_path: Path) -> None:
    assert skaffold_forwarding(fake_proc(tmp_path, OTHERS)) is None


def test_skaffold_forwarding_without_proc_finds_nothing(tmp_path: Path) -> None:
    assert skaffold_forwarding(tmp_path / "no-proc") is None
