from smartbank.storage import Table

ACCOUNTS = Table(
    "accounts",
    columns={
        "account_id": str,
        "user_id": str,
        "currency": str,
        "description": str,
        "type": str,
        "account_number": str,
        "sort_code": str,
        "created": str,
        "closed": bool,
    },
    partition_key=("account_id",),
)

ACCOUNTS_BY_USER = Table(
    "accounts_by_user",
    columns=dict(ACCOUNTS.columns),
    partition_key=("user_id",),
    clustering=("account_id",),
)

ACCOUNT_NUMBERS = Table(
    "account_numbers",
    columns={"account_number": str, "account_id": str},
    partition_key=("account_number",),
)

LEDGER = Table(
    "ledger",
    columns={
        "account_id": str,
        "entry": str,
        "currency": str,
        "version": int,
        "ledger_balance": int,
        "held": int,
        "amount": int,
        "original_amount": int,
        "captured_amount": int,
        "state": str,
        "expires_at": str,
        "release_ids": list,
        "description": str,
        "created": str,
        "name": str,
        "style": str,
        "balance": int,
        "updated": str,
        "deleted": bool,
        "kind": str,
        "result": dict,
    },
    partition_key=("account_id",),
    clustering=("entry",),
)

POTS_BY_ID = Table(
    "pots_by_id",
    columns={"pot_id": str, "account_id": str},
    partition_key=("pot_id",),
)

ALL = (ACCOUNTS, ACCOUNTS_BY_USER, ACCOUNT_NUMBERS, LEDGER, POTS_BY_ID)
