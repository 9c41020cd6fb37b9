from smartbank.service import Service

service = Service(
    name="api",
    description=(
        "public API edge: token checks, ownership, routing"
        " (endpoints arrive with the public API issue)"
    ),
)
