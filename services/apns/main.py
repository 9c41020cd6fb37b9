from apns import consumers, handlers, tables
from apns.settings import Settings
from smartbank.service import Service

service = Service(
    name="apns",
    routers=[handlers.router],
    tables=tables.ALL,
    consumers=consumers.ALL,
    settings=Settings,
    description="device tokens per customer and push notifications in the APNs HTTP/2 format",
)
