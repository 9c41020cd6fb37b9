"""The one registry of smartbank services.

Everything that needs to know which services exist reads it from here: the local launcher,
the generated Envoy configuration and (later) the Kubernetes manifests. Adding a service or a
call between services is a change to this file only, so the three can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServiceSpec:
    """One service: its name on the mesh, its local port, whom it calls and its topics."""

    name: str
    port: int
    calls: tuple[str, ...] = ()
    timeout_ms: int = 2000
    publishes: tuple[str, ...] = field(default=())
    consumes: tuple[str, ...] = field(default=())
    # Work after the fact (the event pipeline): it yields the CPU to the card path.
    background: bool = False

    @property
    def package(self) -> str:
        """The Python package of the service (`card-api` → `card_api`)."""
        return self.name.replace("-", "_")


MESH_PORT = 15001
PUBLIC_API_PORT = 8080
CARD_NETWORK_PORT = 8090
ENVOY_ADMIN_PORT = 9901
KAFKA_PORT = 9092
TRACE_SINK_PORT = 4318  # the OTLP/HTTP port, so any OpenTelemetry exporter finds it
PUSH_SINK_PORT = 8190  # the local stand-in for APNs (also run in the dev cluster)
# The modules the local stack runs besides the services; the dev cluster runs the push sink.
TRACE_SINK_MODULE = "smartbank.local.trace_sink"
PUSH_SINK_MODULE = "smartbank.local.push_sink"

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "api",
        8101,
        calls=("auth", "balance", "cards", "transactions", "merchant", "feed", "webhook"),
    ),
    ServiceSpec("auth", 8102),
    ServiceSpec("card-api", 8103, calls=("card-processing",)),
    ServiceSpec("card-processing", 8104, calls=("cards", "balance", "transactions")),
    ServiceSpec("cards", 8105),
    ServiceSpec("balance", 8106),
    ServiceSpec(
        "transactions",
        8107,
        publishes=(
            "transaction.created",
            "transaction.settled",
            "transaction.reversed",
            "transaction.declined",
        ),
    ),
    ServiceSpec(
        "transaction-enrichment",
        8108,
        calls=("merchant", "transactions"),
        publishes=("transaction.enriched",),
        consumes=("transaction.created",),
        background=True,
    ),
    ServiceSpec("merchant", 8109, background=True),
    ServiceSpec(
        "feed-generator",
        8110,
        calls=("feed", "merchant"),
        publishes=("feed.item.created",),
        consumes=(
            "transaction.enriched",
            "transaction.settled",
            "transaction.reversed",
            "transaction.declined",
        ),
        background=True,
    ),
    ServiceSpec("feed", 8111, background=True),
    ServiceSpec("apns", 8112, consumes=("feed.item.created",), background=True),
    ServiceSpec("webhook", 8113, consumes=("transaction.enriched",), background=True),
)

BY_NAME: dict[str, ServiceSpec] = {s.name: s for s in SERVICES}

# The edge listeners: which service each public-facing port forwards to.
EDGES: dict[int, str] = {PUBLIC_API_PORT: "api", CARD_NETWORK_PORT: "card-api"}

# Paths an edge sends straight to another service instead of its own: OAuth's login page and
# token endpoint belong to auth, which owns customers, codes and tokens.
EDGE_PREFIXES: dict[str, dict[str, str]] = {"api": {"/oauth2/": "auth"}}


def dead_letter_topic(group: str) -> str:
    """Each consumer group (a service's name) dead-letters to a topic of its own."""
    return f"dead-letter.{group}"


def topics() -> tuple[str, ...]:
    """Every topic the stack needs: the events, and one dead-letter topic per consumer group."""
    events = {t for s in SERVICES for t in (*s.publishes, *s.consumes)}
    dead_letters = {dead_letter_topic(s.name) for s in SERVICES if s.consumes}
    return tuple(sorted(events)) + tuple(sorted(dead_letters))


def spec(name: str) -> ServiceSpec:
    """The registry entry for a service name; a KeyError names the unknown service."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown service {name!r}; known: {', '.join(BY_NAME)}") from None
