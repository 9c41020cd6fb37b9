from smartbank.events import Consumer
from smartbank.service import Service
from transaction_enrichment.enrich import on_transaction_created

service = Service(
    name="transaction-enrichment",
    consumers=[Consumer("transaction.created", on_transaction_created)],
    description="resolves each new transaction's merchant and publishes it enriched",
)
