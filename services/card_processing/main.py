from card_processing import handlers, jobs, tables
from card_processing.settings import Settings
from smartbank.service import Service

service = Service(
    name="card-processing",
    routers=[handlers.router],
    tables=tables.ALL,
    jobs=jobs.ALL,
    settings=Settings,
)
