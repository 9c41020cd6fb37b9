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
        "mcc": str,
        "transaction_id": str,
        "response": dict,
        "clearing": dict,
        "reversal_ids": list,
        "released": dict,
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

# Attempts to look at again once they can no longer be running (follow_ups.py).
follow_ups = Table(
    "follow_ups",
    columns={
        "day": str,
        "due_at": str,
        "auth_key": str,
        "attempt": str,
        "transaction_id": str,
        "account_id": str,
        "hold_id": str,
    },
    partition_key=("day",),
    clustering=("due_at", "auth_key"),
)

CLAIM_COLUMNS = {
    "claim_id": str,
    "month": str,
    "account_id": str,
    "transaction_id": str,
    "card_id": str,
    "reason": str,
    "currency": str,
    "presented": int,
    "authorised": int,
    "charged": int,
    "claimed": int,
    "created": str,
}

# Chargeback claims (clearing.py): one table per query, by account and by month.
chargebacks_by_account = Table(
    "chargebacks_by_account",
    columns=CLAIM_COLUMNS,
    partition_key=("account_id",),
    clustering=("claim_id",),
)

chargebacks_by_month = Table(
    "chargebacks_by_month",
    columns=CLAIM_COLUMNS,
    partition_key=("month",),
    clustering=("claim_id",),
)

ALL = (authorisations, holds_by_expiry, follow_ups, chargebacks_by_account, chargebacks_by_month)
