from smartbank.storage import Table

CUSTOMER_COLUMNS = {"user_id": str, "name": str, "email": str, "created": str}

CUSTOMERS = Table("customers", columns=CUSTOMER_COLUMNS, partition_key=("user_id",))

CUSTOMERS_BY_EMAIL = Table(
    "customers_by_email",
    columns={"email": str, "user_id": str},
    partition_key=("email",),
)

CUSTOMER_LIST = Table(
    "customer_list",
    columns={"bucket": int, **CUSTOMER_COLUMNS},
    partition_key=("bucket",),
    clustering=("user_id",),
)

CLIENTS = Table(
    "clients",
    columns={
        "client_id": str,
        "name": str,
        "redirect_uris": list,
        "secret_hash": str,
        "created": str,
    },
    partition_key=("client_id",),
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
        "family": str,
    },
    partition_key=("token_hash",),
)

CURRENT_TOKENS = Table(
    "current_tokens",
    columns={
        "user_id": str,
        "client_id": str,
        "access_hash": str,
        "refresh_hash": str,
        "issued_at": str,
        "family": str,
    },
    partition_key=("user_id",),
    clustering=("client_id",),
)

ONE_TIME_COLUMNS = {
    "secret_hash": str,
    "user_id": str,
    "client_id": str,
    "redirect_uri": str,
    "state": str,
    "expires_at": str,
    "claimed_by": str,
    "replayed_by": str,
}

CODES = Table("codes", columns=ONE_TIME_COLUMNS, partition_key=("secret_hash",))

LOGIN_LINKS = Table("login_links", columns=ONE_TIME_COLUMNS, partition_key=("secret_hash",))

MAIL_COLUMNS = {"recipient": str, "mail_id": str, "subject": str, "body": str, "created": str}

MAIL_BY_RECIPIENT = Table(
    "mail_by_recipient",
    columns=MAIL_COLUMNS,
    partition_key=("recipient",),
    clustering=("mail_id",),
)

MAIL_LIST = Table(
    "mail_list",
    columns={"bucket": int, **MAIL_COLUMNS},
    partition_key=("bucket",),
    clustering=("mail_id",),
)

ALL = (
    CUSTOMERS,
    CUSTOMERS_BY_EMAIL,
    CUSTOMER_LIST,
    CLIENTS,
    TOKENS,
    CURRENT_TOKENS,
    CODES,
    LOGIN_LINKS,
    MAIL_BY_RECIPIENT,
    MAIL_LIST,
)
