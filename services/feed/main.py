from smartbank.service import Service

service = Service(
    name="feed",
    description=("each account's feed (arrives with the event pipeline issue)"),
)
