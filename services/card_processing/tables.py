from smartbank.storage import Table

authorisations = Table(
    "authorisations",
    columns={
        "auth_key": str,
        "auth_id": str,
        "hold_id": str,
        "abandoned_hold": str,
        "state": str,
        "fingerprint": str,
        "attempt": str,
        "lease_until": str,
        "card_token": str,
        "card_id": str,
        "account_id": str,
        "amount": int,
        "outstanding": int,
        "currency": str,
        "transaction_id": str,
        "response": dict,
        "reversal_ids": list,
        "stand_in": bool,
        "reversed_early": bool,
        "expires_at": str,
        "created": str,
        "version": int,
    },
    partition_key=("auth_key",),
)

holds_by_expiry = Table(
    "holds_by_expiry",
    columns={"day": str, "expires_at": str, "auth_key": str, "account_id": str},
    partition_key=("day",),
    clustering=("expires_at", "auth_key"),
)

# Transactions to decline once a write that timed out must have landed (follow_ups.py).
follow_ups = Table(
    "follow_ups",
    columns={"day": str, "due_at": str, "auth_key": str, "attempt": str, "transaction_id": str},
    partition_key=("day",),
    clustering=("due_at", "auth_key"),
)

ALL = (authorisations, holds_by_expiry, follow_ups)
