from smartbank.service import Service

service = Service(
    name="apns",
    description=("push notifications in the APNs format (arrives with the event pipeline issue)"),
)
