from smartbank.storage import Table

DEVICES = Table(
    "devices",
    columns={
        "user_id": str,
        "token": str,
        "platform": str,
        "status": str,
        "invalid_reason": str,
        "created": str,
        "updated": str,
    },
    partition_key=("user_id",),
    clustering=("token",),
)

DEVICE_OWNERS = Table(
    "device_owners",
    columns={"token": str, "user_id": str},
    partition_key=("token",),
)

PUSHES = Table(
    "pushes",
    columns={
        "account_id": str,
        "push_id": str,
        "user_id": str,
        "feed_item_id": str,
        "event_id": str,
        "device_token": str,
        "title": str,
        "body": str,
        "status": str,
        "apns_id": str,
        "status_code": int,
        "reason": str,
        "attempts": int,
        "created": str,
    },
    partition_key=("account_id",),
    clustering=("push_id",),
)

PUSH_CLAIMS = Table(
    "push_claims",
    columns={
        "feed_item_id": str,
        "device_token": str,
        "push_id": str,
        "event_id": str,
        "created": str,
        "lease_until": str,  # an unfinished claim past this may be taken over (a crash)
        "done": bool,  # the push was sent (or given up) and recorded
    },
    partition_key=("feed_item_id",),
    clustering=("device_token",),
)

ALL = (DEVICES, DEVICE_OWNERS, PUSHES, PUSH_CLAIMS)
