from smartbank.service import Service

service = Service(
    name="webhook",
    description=("signed webhook deliveries (arrives with the event pipeline issue)"),
)
