from typing import Any

from balance import checks, ledger
from balance.ledger import Balance, Movement
from smartbank import errors, timeutil
from smartbank.contracts.balance import Posting
from smartbank.storage import Row, TableStore


def posting_entry(posting_id: str) -> str:
    return f"post:{posting_id}"


def posting_of(row: Row) -> Posting:
    return Posting(
        posting_id=row["entry"].removeprefix("post:"),
        account_id=row["account_id"],
        amount=row["amount"],
        currency=row["currency"],
        description=row["description"],
        created=row["created"],
    )


async def post(
    store: TableStore,
    account_id: str,
    posting_id: Any,
    amount: Any,
    currency: Any,
    description: Any = "",
) -> Posting:
    posting_id = checks.identifier(posting_id, "posting_id")
    amount = checks.signed_amount(amount)
    currency = checks.currency(currency)
    description = checks.text(description, "description")
    content = {"amount": amount, "currency": currency, "description": description}

    def decide(balance: Balance, posting: Row | None) -> Movement | None:
        if posting is not None:
            if any(posting[name] != value for name, value in content.items()):
                raise errors.conflict(
                    "posting_mismatch",
                    f"posting {posting_id} exists with other content",
                    posting_id=posting_id,
                )
            return None
        checks.same_currency(balance.currency, currency)
        return Movement({**content, "created": timeutil.now_text()}, ledger_delta=amount)

    return posting_of(await ledger.transact(store, account_id, posting_entry(posting_id), decide))
