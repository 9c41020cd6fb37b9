from smartbank.service import Service

service = Service(
    name="transaction-enrichment",
    description=("resolves merchants for new transactions (arrives with the event pipeline issue)"),
)
