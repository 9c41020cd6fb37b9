from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter


class AuthorisationMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.answered = Counter(
            "smartbank_card_authorisations",
            "Authorisations answered to the card network, by outcome (91 is the stand-in).",
            ("approved", "response_code", "reason"),
            registry=registry,
        )

    def count(self, answer: dict[str, Any]) -> None:
        self.answered.labels(
            "true" if answer.get("approved") else "false",
            str(answer.get("response_code", "")),
            str(answer.get("decline_reason", "")),
        ).inc()
