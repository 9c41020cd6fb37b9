from smartbank.service import Service

service = Service(
    name="merchant",
    description=(
        "merchant records and descriptor resolution (arrives with the event pipeline issue)"
    ),
)
