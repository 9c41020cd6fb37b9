from merchant import handlers, tables
from smartbank.service import Service

service = Service(
    name="merchant",
    description="merchant records and resolution of raw card descriptors to merchants",
    routers=[handlers.router],
    tables=tables.ALL,
)
