from smartbank.storage import Table

CARDS = Table(
    "cards",
    columns={
        "card_id": str,
        "account_id": str,
        "user_id": str,
        "processor_token": str,
        "last_digits": str,
        "name": str,
        "expires": str,
        "status": str,
        "created": str,
        "version": int,
    },
    partition_key=("card_id",),
)

CARDS_BY_TOKEN = Table(
    "cards_by_token",
    columns={"processor_token": str, "card_id": str},
    partition_key=("processor_token",),
)

CARDS_BY_ACCOUNT = Table(
    "cards_by_account",
    columns={"account_id": str, "card_id": str},
    partition_key=("account_id",),
    clustering=("card_id",),
)

ALL = (CARDS, CARDS_BY_TOKEN, CARDS_BY_ACCOUNT)
