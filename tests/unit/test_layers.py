"""libs/smartbank has three layers and its imports run one way: local → deploy → platform.

A service imports the platform only; what generates configuration (deploy) and what runs the
stack on one machine (local) build on it. An import the other way would drag the launcher or the
manifest writers into every service's image and start-up, so it fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[2] / "libs" / "smartbank"
SERVICES = Path(__file__).resolve().parents[2] / "services"
LAYERS = {"platform": 0, "deploy": 1, "local": 2}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "smartbank":
        return "outside"
    return parts[1] if len(parts) > 1 and parts[1] in ("deploy", "local") else "platform"


def module_of(path: Path) -> str:
    relative = path.relative_to(LIB.parent).with_suffix("")
    return ".".join(relative.parts).removesuffix(".__init__")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("smartbank")}


def upward(path: Path, own: str) -> list[str]:
    """The imports of `path` that reach a layer above `own`."""
    return sorted(
        name
        for name in imports_of(path)
        if layer_of(name) in LAYERS and LAYERS[layer_of(name)] > LAYERS[own]
    )


@pytest.mark.parametrize("path", sorted(LIB.rglob("*.py")), ids=lambda p: module_of(p))
def test_library_modules_import_only_their_layer_and_below(path: Path) -> None:
    own = layer_of(module_of(path))
    assert upward(path, own) == [], f"{module_of(path)} ({own}) imports a layer above it"


def test_services_import_only_the_platform() -> None:
    offenders = {
        str(path.relative_to(SERVICES)): upward(path, "platform")
        for path in sorted(SERVICES.rglob("*.py"))
        if "tests" not in path.parts and upward(path, "platform")
    }
    assert offenders == {}


def test_every_layer_exists() -> None:
    layers = {layer_of(module_of(path)) for path in LIB.rglob("*.py")}
    assert layers == set(LAYERS)
