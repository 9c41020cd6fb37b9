"""Run one service as its own process: `python -m smartbank.serve card-processing`.

The launcher starts every service this way locally, and the container image does the same in
Kubernetes, so both run the same code with the same onion; only the environment differs.
Without an argument the service is named by `SERVICE_NAME` (the image bakes it in).
"""

from __future__ import annotations

import argparse
import importlib
import os

import uvicorn

from smartbank import logs
from smartbank.app import build_app
from smartbank.registry import spec
from smartbank.server import QuietServer
from smartbank.service import Service


def load_service(name: str) -> Service:
    module = importlib.import_module(f"{spec(name).package}.main")
    service: Service = module.service
    return service


def main() -> None:
    parser = argparse.ArgumentParser(description="Run one smartbank service.")
    parser.add_argument(
        "service",
        nargs="?",
        default=os.environ.get("SERVICE_NAME") or None,
        help="service name from the registry, e.g. card-api (default: $SERVICE_NAME)",
    )
    name = parser.parse_args().service
    if not name:
        parser.error("name a service, or set SERVICE_NAME")
    service = load_service(name)
    settings = service.settings()
    logs.configure(service.name, settings.log_level)
    built = build_app(service, settings)
    config = uvicorn.Config(
        built.asgi,
        host=settings.host,
        port=settings.port or spec(name).port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        proxy_headers=False,
        server_header=False,
        log_config=None,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        backlog=2048,
    )
    QuietServer(config).run()


if __name__ == "__main__":
    main()
