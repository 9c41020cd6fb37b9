"""The call graph counts calls between services, looking through Envoy."""

from smartbank.local import callgraph
from smartbank.local.traces import SpanRecord


def span(
    span_id: str, parent: str | None, service: str, kind: str, **attributes: str
) -> SpanRecord:
    return SpanRecord(
        trace_id="t" * 32,
        span_id=span_id,
        parent_id=parent,
        service=service,
        name="x",
        kind=kind,
        start="",
        start_ns=0,
        duration_ms=1.0,
        status="UNSET",
        attributes=dict(attributes),
    )


SWIPE = [
    span("e1", None, "envoy", "SERVER"),
    span("a1", "e1", "card-api", "SERVER"),
    span("a2", "a1", "card-api", "CLIENT"),
    span("e2", "a2", "envoy", "CLIENT"),
    span("p1", "e2", "card-processing", "SERVER"),
    span("p2", "p1", "card-processing", "CLIENT"),
    span("e3", "p2", "envoy", "CLIENT"),
    span("c1", "e3", "cards", "SERVER"),
    span("p3", "p1", "card-processing", "CLIENT"),
    span("e4", "p3", "envoy", "CLIENT"),
    span("t1", "e4", "transactions", "SERVER"),
    span(
        "k1",
        "t1",
        "transaction-enrichment",
        "CONSUMER",
        **{"messaging.destination.name": "transaction.created"},
    ),
]


def test_edges_count_calls_between_services_through_the_proxy():
    counted = callgraph.edges([*SWIPE, span("c2", "e3", "cards", "SERVER")])
    assert counted == {
        ("card-api", "card-processing", "http"): 1,
        ("card-processing", "cards", "http"): 2,
        ("card-processing", "transactions", "http"): 1,
        ("transactions", "transaction-enrichment", "kafka transaction.created"): 1,
    }


def test_mermaid_and_dot_draw_every_edge_with_its_count():
    counted = callgraph.edges(SWIPE)
    drawn = callgraph.mermaid(counted)
    assert drawn.splitlines()[0] == "flowchart LR"
    assert "card_api[card-api] -->|1| card_processing[card-processing]" in drawn
    assert "-->|kafka transaction.created · 1| transaction_enrichment" in drawn
    assert '"card-processing" -> "cards" [label="1"];' in callgraph.dot(counted)
