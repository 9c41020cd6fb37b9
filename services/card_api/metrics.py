from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from smartbank.contracts.card_processing import Decision


class AuthorisationMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.answered = Counter(
            "smartbank_card_authorisations",
            "Authorisations answered to the card network, by outcome (91 is the stand-in).",
            ("approved", "response_code", "reason"),
            registry=registry,
        )

    def count(self, answer: Decision) -> None:
        self.answered.labels(
            "true" if answer.approved else "false",
            answer.response_code,
            answer.decline_reason or "",
        ).inc()
