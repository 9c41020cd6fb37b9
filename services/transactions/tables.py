from smartbank.events.outbox import OUTBOX_INDEX
from smartbank.storage import Table

TRANSACTIONS = Table(
    "transactions",
    columns={
        "id": str,
        "account_id": str,
        "amount": int,
        "amount_authorised": int,
        "currency": str,
        "created": str,
        "description": str,
        "merchant": str,
        "metadata": dict,
        "notes": str,
        "is_load": bool,
        "settled": str,
        "category": str,
        "decline_reason": str,
        "status": str,
        "initial_status": str,
        "mcc": str,
        "merchant_descriptor": str,
        "card_id": str,
        "user_id": str,
        "version": int,
        "outbox": dict,
    },
    partition_key=("id",),
)

TRANSACTIONS_BY_ACCOUNT = Table(
    "transactions_by_account",
    columns={"account_id": str, "created": str, "id": str},
    partition_key=("account_id",),
    clustering=("created", "id"),
)

ALL = (TRANSACTIONS, TRANSACTIONS_BY_ACCOUNT, OUTBOX_INDEX)
