from smartbank.service import Service
from webhook import consumers, handlers, jobs, tables
from webhook.settings import Settings

service = Service(
    name="webhook",
    routers=[handlers.router],
    tables=tables.ALL,
    jobs=jobs.ALL,
    consumers=consumers.ALL,
    settings=Settings,
    description="webhook registrations and signed, retried deliveries of transaction events",
)
