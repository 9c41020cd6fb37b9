"""`make cluster-images`: every upstream image an overlay runs, pulled and loaded into kind."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from smartbank.deploy import cluster_images
from tests.unit.deploy.k8s_render import documents, rendered

OVERLAYS = ("overlays/dev", "overlays/prod")
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("target", OVERLAYS)
def test_the_list_is_every_image_the_overlay_runs_that_is_not_built_here(target: str) -> None:
    images = cluster_images.upstream_images(rendered(target))
    everything = cluster_images.images_in(documents(target))
    built = {name for name in everything if name.startswith("smartbank-")}
    assert set(images) == everything - built
    for part in ("apache/kafka", "cassandra", "jaegertracing/jaeger", "envoyproxy/envoy"):
        assert any(name.startswith(f"{part}:") for name in images), part
    assert all(":" in name and not name.endswith(":latest") for name in images)


def test_it_pulls_each_image_and_the_base_then_loads_the_cluster_images_into_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cluster_images, "render", lambda overlay: rendered(f"overlays/{overlay}"))
    ran: list[Sequence[str]] = []
    assert cluster_images.main(["--cluster", "dev-kind"], execute=ran.append) == 0
    pulled = [argv[2] for argv in ran if argv[:2] == ["docker", "pull"]]
    (load,) = [argv for argv in ran if argv[0] == "kind"]
    assert load[:5] == ["kind", "load", "docker-image", "--name", "dev-kind"]
    base = cluster_images.base_image((ROOT / "docker/Dockerfile").read_text())
    assert base.startswith("python:3.11") and base in pulled and base not in load
    assert set(load[5:]) == set(pulled) - {base}
