"""`make cluster-images`: the upstream images an overlay runs, pulled once and loaded into kind.

    python -m smartbank.deploy.cluster_images [--overlay dev] [--cluster smartbank] [--dry-run]

A first `skaffold dev` on a new kind cluster otherwise pulls about a gigabyte of upstream images
(Kafka, Cassandra, Jaeger, Prometheus, Grafana, Envoy) inside the cluster while skaffold's status
check counts down, and on a slow line that alone can outlast it. Pulled here and loaded into the
kind node beforehand, the pods start from images already on the node (`IfNotPresent`), and
skaffold waits only for Cassandra's boot and the schema Job. The Dockerfile's base image is
pulled too, for skaffold's first build. The images are read from the rendered overlay, so the
list is always the one the manifests use.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import yaml

from smartbank.deploy import podman, skaffold
from smartbank.deploy.skaffold import DOCKERFILE, OVERLAYS

Run = Callable[[Sequence[str]], None]
BUILT = {str(a["image"]) for a in skaffold.render()["build"]["artifacts"]}
BASE_IMAGE = re.compile(r"^ARG PYTHON_IMAGE=(\S+)$", re.M)


def images_in(documents: Iterable[dict[str, object]]) -> set[str]:
    """Every container and init container image the documents' pod templates name."""
    return {container.image for container in podman.containers(documents)}


def upstream_images(rendered: str) -> list[str]:
    """The overlay's images that are not built here."""
    documents = [d for d in yaml.safe_load_all(rendered) if d]
    return sorted(name for name in images_in(documents) if name.split(":")[0] not in BUILT)


def base_image(dockerfile: str) -> str:
    """The image the Dockerfile builds from (its PYTHON_IMAGE default)."""
    found = BASE_IMAGE.search(dockerfile)
    if found is None:
        raise ValueError("the Dockerfile declares no ARG PYTHON_IMAGE default")
    return found.group(1)


def render(overlay: str) -> str:
    argv = ["kubectl", "kustomize", str(OVERLAYS / overlay)]
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=120).stdout


def commands(images: Sequence[str], base: str, cluster: str) -> list[list[str]]:
    """Pull each image and the build's base, then load the cluster's images into the kind
    node in one go (the base image is for `docker build` here, not for the cluster)."""
    pulls = [["docker", "pull", name] for name in (*images, base)]
    return [*pulls, ["kind", "load", "docker-image", "--name", cluster, *images]]


def run(argv: Sequence[str]) -> None:
    print("+", " ".join(argv), flush=True)
    subprocess.run(argv, check=True)


def main(argv: Sequence[str] | None = None, execute: Run = run) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlay", default="dev", choices=("dev", "prod"))
    parser.add_argument("--cluster", default="smartbank", help="the kind cluster's name")
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    args = parser.parse_args(argv)
    images = upstream_images(render(args.overlay))
    for command in commands(images, base_image(Path(DOCKERFILE).read_text()), args.cluster):
        if args.dry_run:
            print(" ".join(command))
        else:
            execute(command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
