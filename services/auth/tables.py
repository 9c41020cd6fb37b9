from smartbank.storage import Table

CUSTOMERS = Table(
    "customers",
    columns={"user_id": str, "name": str, "email": str, "created": str},
    partition_key=("user_id",),
)

TOKENS = Table(
    "tokens",
    columns={
        "token_hash": str,
        "kind": str,
        "user_id": str,
        "client_id": str,
        "issued_at": str,
        "expires_at": str,
        "revoked": bool,
    },
    partition_key=("token_hash",),
)

ALL = (CUSTOMERS, TOKENS)
