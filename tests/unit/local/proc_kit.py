"""A fake /proc: a directory with a `<pid>/cmdline` (argv, NUL-separated) for each process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

SKAFFOLD_PID = 4242
SKAFFOLD_DEV = {SKAFFOLD_PID: ["/usr/local/bin/skaffold", "dev"]}


def fake_proc(root: Path, processes: Mapping[int, Sequence[str]]) -> Path:
    """/proc with these processes, a kernel thread (empty cmdline) and entries that are not
    processes."""
    root.mkdir(parents=True, exist_ok=True)
    for pid, argv in {2: [], **processes}.items():
        (root / str(pid)).mkdir()
        (root / str(pid) / "cmdline").write_bytes(b"".join(f"{a}\0".encode() for a in argv))
    (root / "self").mkdir()
    (root / "uptime").write_text("1.0 1.0\n")
    return root
