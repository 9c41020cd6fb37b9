from balance import handlers, tables
from smartbank.service import Service

service = Service(
    name="balance",
    routers=[handlers.router],
    tables=tables.ALL,
    description="accounts, the ledger, available balance, holds and pots",
)
