"""Where a local stack keeps its files.

<data dir>/envoy.yaml   the generated proxy config
<data dir>/db/          one SQLite file per service
<data dir>/logs/        <name>.log for every process (and supervisor.log when detached)
<data dir>/run/         <name>.pid for every running process, supervisor.pid,
                        supervision.json and control/ (the supervisor's state and its inbox),
                        infra.json (what runs beneath the services: embedded or real)
<data dir>/real/        kafka/, cassandra/, jaeger/: the real parts' configs and data
<data dir>/traces/      spans written by the trace sink
<data dir>/pushes.jsonl push notifications the local APNs sink accepted
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HOME_VARIABLE = "SMARTBANK_HOME"


def default_data_dir(environ: Mapping[str, str] = os.environ, cwd: Path | None = None) -> Path:
    """$SMARTBANK_HOME, or ./.smartbank in the current directory."""
    chosen = environ.get(HOME_VARIABLE) or str((cwd or Path.cwd()) / ".smartbank")
    return Path(chosen).expanduser().resolve()


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def envoy_config(self) -> Path:
        return self.root / "envoy.yaml"

    @property
    def db(self) -> Path:
        return self.root / "db"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def traces(self) -> Path:
        return self.root / "traces"

    @property
    def pushes(self) -> Path:
        return self.root / "pushes.jsonl"

    @property
    def supervisor_pid(self) -> Path:
        return self.run / "supervisor.pid"

    @property
    def supervision(self) -> Path:
        return self.run / "supervision.json"

    @property
    def infra(self) -> Path:
        return self.run / "infra.json"

    def part(self, name: str) -> Path:
        """A real part's own directory (its config, and for Kafka and Cassandra its data)."""
        return self.root / "real" / name

    @property
    def control(self) -> Path:
        return self.run / "control"

    @property
    def supervisor_log(self) -> Path:
        return self.logs / "supervisor.log"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pid(self, name: str) -> Path:
        return self.run / f"{name}.pid"

    def create(self) -> None:
        for directory in (self.root, self.db, self.logs, self.run, self.traces):
            directory.mkdir(parents=True, exist_ok=True)
