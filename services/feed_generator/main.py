from smartbank.service import Service

service = Service(
    name="feed-generator",
    description=(
        "turns transaction events into feed items (arrives with the event pipeline issue)"
    ),
)
