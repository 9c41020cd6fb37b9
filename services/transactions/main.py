from smartbank.service import Service
from transactions import handlers, jobs, tables
from transactions.settings import Settings

service = Service(
    name="transactions",
    routers=[handlers.router],
    tables=tables.ALL,
    jobs=jobs.ALL,
    settings=Settings,
)
