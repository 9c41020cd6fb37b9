"""Where each part of `make bench` leaves its figures: a JSON report under `.bench/`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def save_report(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
