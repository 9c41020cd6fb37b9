from smartbank.storage import Table

MERCHANTS = Table(
    "merchants",
    columns={
        "merchant_id": str,
        "group_id": str,
        "name": str,
        "logo": str,
        "emoji": str,
        "category": str,
        "created": str,
        "address": dict,
        "descriptor_key": str,
        "mcc": str,
    },
    partition_key=("merchant_id",),
)

ALL = (MERCHANTS,)
