from feed import handlers, tables
from smartbank.service import Service

service = Service(
    name="feed",
    description="each account's time-ordered feed items, from events and from the public API",
    routers=[handlers.router],
    tables=tables.ALL,
)
