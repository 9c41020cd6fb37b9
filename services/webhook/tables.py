from smartbank.storage import Table

WEBHOOKS = Table(
    "webhooks",
    columns={
        "webhook_id": str,
        "account_id": str,
        "url": str,
        "secret": str,
        "created": str,
        "deleted": bool,
    },
    partition_key=("webhook_id",),
)

WEBHOOKS_BY_ACCOUNT = Table(
    "webhooks_by_account",
    columns={"account_id": str, "webhook_id": str},
    partition_key=("account_id",),
    clustering=("webhook_id",),
)

DELIVERIES = Table(
    "deliveries",
    columns={
        "webhook_id": str,
        "delivery_id": str,
        "event_id": str,
        "body": str,
        "status": str,
        "attempts": int,
        "next_attempt_at": str,
        "claim": str,
        "last_status_code": int,
        "last_error": str,
        "created": str,
        "updated": str,
    },
    partition_key=("webhook_id",),
    clustering=("delivery_id",),
)

DELIVERIES_BY_EVENT = Table(
    "deliveries_by_event",
    columns={"webhook_id": str, "event_id": str, "delivery_id": str},
    partition_key=("webhook_id", "event_id"),
)

DUE_DELIVERIES = Table(
    "due_deliveries",
    columns={"bucket": int, "next_attempt_at": str, "delivery_id": str, "webhook_id": str},
    partition_key=("bucket",),
    clustering=("next_attempt_at", "delivery_id"),
)

ALL = (WEBHOOKS, WEBHOOKS_BY_ACCOUNT, DELIVERIES, DELIVERIES_BY_EVENT, DUE_DELIVERIES)
