import asyncio

import pytest

from auth import customers
from auth.tests.fakes import expect_error
from smartbank.storage import TableStore


async def test_create_customer_returns_the_customer(store: TableStore) -> None:
    created = await customers.create_customer(store, "Ada Lovelace", "ada@example.com")
    assert set(created) == {"id", "name", "email", "created"}
    assert created["id"].startswith("user_")
    assert (created["name"], created["email"]) == ("Ada Lovelace", "ada@example.com")
    assert await customers.get_customer(store, created["id"]) == created


async def test_create_customer_without_email_has_empty_email(store: TableStore) -> None:
    assert (await customers.create_customer(store, "Ada"))["email"] == ""


@pytest.mark.parametrize(
    ("name", "email", "code"),
    [(" ", None, "bad_request.invalid_name"), ("Ada", "nope", "bad_request.invalid_email")],
)
async def test_create_customer_when_invalid_is_rejected(
    store: TableStore, name: str, email: str | None, code: str
) -> None:
    await expect_error(code, customers.create_customer(store, name, email))


async def test_create_customer_concurrently_makes_distinct_customers(store: TableStore) -> None:
    created = await asyncio.gather(*(customers.create_customer(store, "Ada") for _ in range(10)))
    assert len({c["id"] for c in created}) == 10
    for customer in created:
        assert await customers.get_customer(store, customer["id"]) == customer


async def test_create_customer_with_a_taken_email_is_a_conflict(store: TableStore) -> None:
    await customers.create_customer(store, "Ada", "ada@example.com")
    await expect_error(
        "conflict.email_taken", customers.create_customer(store, "Eve", " ADA@example.com ")
    )


async def test_get_customer_when_unknown_is_not_found(store: TableStore) -> None:
    await expect_error("not_found.customer", customers.get_customer(store, "user_missing"))


async def test_find_by_email_ignores_case_and_spaces(store: TableStore) -> None:
    ada = await customers.create_customer(store, "Ada", "Ada@Example.com")
    assert ada["email"] == "ada@example.com"
    assert await customers.find_by_email(store, "  ADA@example.COM ") == ada
    assert await customers.find_by_email(store, "bob@example.com") is None
    assert await customers.find_by_email(store, "") is None


async def test_list_customers_gives_the_newest_first_up_to_the_limit(store: TableStore) -> None:
    made = [await customers.create_customer(store, f"Customer {n}") for n in range(3)]
    assert await customers.list_customers(store, 2) == [made[2], made[1]]
